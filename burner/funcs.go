package burner

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"text/template"
)

// addKubeBurnerFuncs adds the functions kube-burner gives configs and
// object templates besides sprig's: Binomial, IndexToCombination,
// GetSubnet24, GetIPAddress and ReadFile.
func addKubeBurnerFuncs(m template.FuncMap) {
	m["Binomial"] = binomial
	m["IndexToCombination"] = indexToCombination
	m["GetSubnet24"] = subnet24
	m["GetIPAddress"] = ipAddresses
	m["ReadFile"] = func(path string) (string, error) {
		b, err := os.ReadFile(path)
		return string(b), err
	}
}

// binomial is n choose k (0 when k is outside [0, n]).
func binomial(n, k int) int {
	if k < 0 || k > n {
		return 0
	}
	k = min(k, n-k)
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}

// indexToCombination is the idx-th k-combination of {0..n-1} in
// lexicographic order, written into dst when it has room.
func indexToCombination(dst []int, idx, n, k int) ([]int, error) {
	if k < 0 || k > n || idx < 0 || idx >= binomial(n, k) {
		return nil, fmt.Errorf("IndexToCombination: index %d out of range for %d choose %d", idx, n, k)
	}
	if cap(dst) < k {
		dst = make([]int, k)
	}
	dst = dst[:k]
	next := 0
	for i := range k {
		// Skip the combinations that start with a smaller element here.
		for c := binomial(n-next-1, k-i-1); idx >= c; c = binomial(n-next-1, k-i-1) {
			idx -= c
			next++
		}
		dst[i] = next
		next++
	}
	return dst, nil
}

// subnet24 is the idx-th /24 network, from 1.0.0.0/24 on (kube-burner's
// GetSubnet24).
func subnet24(idx int) string {
	return netip.AddrFrom4([4]byte{byte(idx>>16 + 1), byte(idx >> 8), byte(idx), 0}).String() + "/24"
}

// ipAddresses takes perIteration addresses, for iteration, from the
// space-separated list addresses (kube-burner's GetIPAddress).
func ipAddresses(addresses string, iteration, perIteration int) (string, error) {
	all := strings.Split(addresses, " ")
	from, to := iteration*perIteration, (iteration+1)*perIteration
	if from < 0 || to > len(all) {
		return "", fmt.Errorf("GetIPAddress: iteration %d needs addresses %d..%d, the list has %d", iteration, from, to-1, len(all))
	}
	return strings.Join(all[from:to], " "), nil
}
