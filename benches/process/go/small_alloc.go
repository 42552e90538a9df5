// Small-object allocation through Go's mallocgc, mirroring examples/peer_small_alloc.rs and the
// small_alloc group of benches/peers/. For each object size in turn (16, 32, 64 bytes: 2, 4
// or 8 uint64 words, pointer-free), allocate n objects with new([W]uint64), object i with word
// k set to i+k, each stored into slot i%1024 of a global ring of 1024 pointers, so the object
// it displaces dies. The ring is a package-level variable, so every object escapes to the heap:
// the compiler can neither stack-allocate it nor prove it dead. When an object leaves the ring
// (displaced, or at the end) it adds its first plus its last word to the checksum.
//
// Each size's loop is timed with the monotonic clock. Prints "checksum N" (the three sizes'
// checksums added) and "alloc_ns_16 X", "alloc_ns_32 X", "alloc_ns_64 X" (nanoseconds per
// allocation). Usage: small_alloc [n] (default 20000000).
//
// The three loops are written out rather than generic: Go's generics share one instantiation
// for every array-pointer type (GC-shape stenciling), which would add dictionary look-ups to
// the loop being measured.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

const ring = 1024

var (
	ring16 [ring]*[2]uint64
	ring32 [ring]*[4]uint64
	ring64 [ring]*[8]uint64
)

func run16(n uint64) uint64 {
	var sum uint64
	for i := uint64(0); i < n; i++ {
		o := new([2]uint64)
		for k := range o {
			o[k] = i + uint64(k)
		}
		slot := &ring16[i%ring]
		if old := *slot; old != nil {
			sum += old[0] + old[len(old)-1]
		}
		*slot = o
	}
	for s, o := range ring16 {
		if o != nil {
			sum += o[0] + o[len(o)-1]
			ring16[s] = nil
		}
	}
	return sum
}

func run32(n uint64) uint64 {
	var sum uint64
	for i := uint64(0); i < n; i++ {
		o := new([4]uint64)
		for k := range o {
			o[k] = i + uint64(k)
		}
		slot := &ring32[i%ring]
		if old := *slot; old != nil {
			sum += old[0] + old[len(old)-1]
		}
		*slot = o
	}
	for s, o := range ring32 {
		if o != nil {
			sum += o[0] + o[len(o)-1]
			ring32[s] = nil
		}
	}
	return sum
}

func run64(n uint64) uint64 {
	var sum uint64
	for i := uint64(0); i < n; i++ {
		o := new([8]uint64)
		for k := range o {
			o[k] = i + uint64(k)
		}
		slot := &ring64[i%ring]
		if old := *slot; old != nil {
			sum += old[0] + old[len(old)-1]
		}
		*slot = o
	}
	for s, o := range ring64 {
		if o != nil {
			sum += o[0] + o[len(o)-1]
			ring64[s] = nil
		}
	}
	return sum
}

// timed runs one size's loop; returns its checksum and the nanoseconds per allocation.
func timed(run func(uint64) uint64, n uint64) (uint64, float64) {
	t := time.Now()
	sum := run(n)
	return sum, float64(time.Since(t).Nanoseconds()) / float64(n)
}

func main() {
	n := uint64(20000000)
	if len(os.Args) > 1 {
		v, err := strconv.ParseUint(os.Args[1], 10, 64)
		if err != nil || v < 1 {
			fmt.Fprintln(os.Stderr, "usage: small_alloc [allocations >= 1]")
			os.Exit(2)
		}
		n = v
	}
	sum16, ns16 := timed(run16, n)
	sum32, ns32 := timed(run32, n)
	sum64, ns64 := timed(run64, n)
	fmt.Printf("checksum %d\n", sum16+sum32+sum64)
	fmt.Printf("alloc_ns_16 %.2f\n", ns16)
	fmt.Printf("alloc_ns_32 %.2f\n", ns32)
	fmt.Printf("alloc_ns_64 %.2f\n", ns64)
}
