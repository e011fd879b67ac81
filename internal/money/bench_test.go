package money_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"voisines/internal/money"
)

func BenchmarkAllocate(b *testing.B) {
	for _, n := range []int{10, 1000} {
		rng := rand.New(rand.NewPCG(1, 2))
		parties := make([]string, n)
		key := money.Key{Kind: money.KeyPopulation, Measure: money.PopulationDGF, Vintage: "2026"}
		for i := range parties {
			parties[i] = fmt.Sprintf("%05d", i)
			key.Figures = append(key.Figures, money.Figure{Party: parties[i], Value: money.IntRat(50 + rng.Int64N(50_000))})
		}
		shares, err := key.Shares(parties)
		if err != nil {
			b.Fatal(err)
		}
		total := money.Cents(4_738_055)
		b.Run(fmt.Sprintf("%d parties", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := money.Allocate(total, shares); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%d parties from the key", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := key.Shares(parties)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := money.Allocate(total, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := money.Parse("1\u202f234\u202f567,89\u00a0€"); err != nil {
			b.Fatal(err)
		}
	}
}
