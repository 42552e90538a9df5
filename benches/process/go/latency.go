// The gc-latency ring, mirroring benches/latency.rs and examples/peer_latency.rs: 200,000
// slots; push 1,000,000 fresh 1 KiB buffers, buffer i into slot i % 200,000, byte j of buffer
// i being uint8(i+j). Each push is timed with the monotonic clock. The checksum sums, over the
// slots, the first plus the last byte of the buffer there. Usage: latency [pushes].
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

const (
	slots  = 200000
	buffer = 1024
)

func main() {
	pushes := 1000000
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: latency [pushes >= 1]")
			os.Exit(2)
		}
		pushes = n
	}
	ring := make([][]byte, slots)
	times := make([]time.Duration, pushes)
	for i := 0; i < pushes; i++ {
		t := time.Now()
		buf := make([]byte, buffer)
		for j := range buf {
			buf[j] = uint8(i + j)
		}
		ring[i%slots] = buf
		times[i] = time.Since(t)
	}
	var sum uint64
	for _, b := range ring {
		if b != nil {
			sum += uint64(b[0]) + uint64(b[buffer-1])
		}
	}
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	p999 := times[int(float64(pushes-1)*0.999+0.5)]
	fmt.Printf("checksum %d\n", sum)
	fmt.Printf("worst_push_ns %d\n", times[pushes-1].Nanoseconds())
	fmt.Printf("p999_push_ns %d\n", p999.Nanoseconds())
}
