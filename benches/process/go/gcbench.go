// Hans Boehm's GCBench, mirroring benches/gcbench.rs and examples/peer_gcbench.rs: stretch
// tree of depth 18, long-lived tree of depth 16 (top-down) and array of 500,000 doubles, then
// for each depth 4..=16 step 2, NumIters(d) trees built top-down (Populate) and as many
// bottom-up (MakeTree). The checksum adds the nodes each construction made, the long-lived
// tree's node count (walked at the end) and round(array[1000] * 1e9).
package main

import (
	"fmt"
	"math"
	"os"
)

const (
	stretchTreeDepth   = 18
	longLivedTreeDepth = 16
	arraySize          = 500000
	minTreeDepth       = 4
	maxTreeDepth       = 16
)

type Node struct {
	left, right *Node
	i, j        int32
}

func treeSize(depth uint) uint64 { return (uint64(1) << (depth + 1)) - 1 }

func numIters(depth uint) uint64 { return 2 * treeSize(stretchTreeDepth) / treeSize(depth) }

// populate builds a tree top-down below node; returns the nodes allocated.
func populate(depth uint, node *Node) uint64 {
	if depth == 0 {
		return 0
	}
	node.left = &Node{}
	node.right = &Node{}
	return 2 + populate(depth-1, node.left) + populate(depth-1, node.right)
}

// makeTree builds a tree bottom-up; returns it and the nodes allocated.
func makeTree(depth uint) (*Node, uint64) {
	if depth == 0 {
		return &Node{}, 1
	}
	l, nl := makeTree(depth - 1)
	r, nr := makeTree(depth - 1)
	return &Node{left: l, right: r}, 1 + nl + nr
}

func count(n *Node) uint64 {
	c := 1 + uint64(n.i) + uint64(n.j)
	if n.left != nil {
		c += count(n.left)
	}
	if n.right != nil {
		c += count(n.right)
	}
	return c
}

func main() {
	_, sum := makeTree(stretchTreeDepth)
	longLived := &Node{}
	sum += 1 + populate(longLivedTreeDepth, longLived)
	array := make([]float64, arraySize)
	for i := 0; i < arraySize/2; i++ {
		array[i] = 1.0 / float64(i)
	}
	for depth := uint(minTreeDepth); depth <= maxTreeDepth; depth += 2 {
		iters := numIters(depth)
		for k := uint64(0); k < iters; k++ {
			tree := &Node{}
			sum += 1 + populate(depth, tree)
		}
		for k := uint64(0); k < iters; k++ {
			_, n := makeTree(depth)
			sum += n
		}
	}
	if array[1000] != 1.0/1000.0 {
		fmt.Fprintln(os.Stderr, "the long-lived array was corrupted")
		os.Exit(1)
	}
	sum += count(longLived) + uint64(math.Round(array[1000]*1e9))
	fmt.Printf("checksum %d\n", sum)
}
