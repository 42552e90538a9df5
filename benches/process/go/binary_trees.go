// binary-trees (Computer Language Benchmarks Game), mirroring benches/binary_trees.rs and
// examples/peer_binary_trees.rs: one goroutine, trees built bottom-up, the checksum is the sum
// of every tree's node count. Usage: binary_trees [max_depth] (default 18).
package main

import (
	"fmt"
	"os"
	"strconv"
)

const minDepth = 4

type Node struct {
	left, right *Node
}

func bottomUp(depth uint) *Node {
	if depth == 0 {
		return &Node{}
	}
	return &Node{bottomUp(depth - 1), bottomUp(depth - 1)}
}

func check(n *Node) uint64 {
	c := uint64(1)
	if n.left != nil {
		c += check(n.left)
	}
	if n.right != nil {
		c += check(n.right)
	}
	return c
}

func main() {
	max := uint(18)
	if len(os.Args) > 1 {
		d, err := strconv.Atoi(os.Args[1])
		if err != nil || d < minDepth {
			fmt.Fprintln(os.Stderr, "usage: binary_trees [max_depth >= 4]")
			os.Exit(2)
		}
		max = uint(d)
	}
	sum := check(bottomUp(max + 1))
	longLived := bottomUp(max)
	for d := uint(minDepth); d <= max; d += 2 {
		iters := uint64(1) << (max - d + minDepth)
		for i := uint64(0); i < iters; i++ {
			sum += check(bottomUp(d))
		}
	}
	sum += check(longLived)
	fmt.Printf("checksum %d\n", sum)
}
