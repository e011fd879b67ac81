package equipment_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store/storetest"
)

// BenchmarkBook books consecutive free slots on SQLite, one request at a
// time: the cost of the domain operation without HTTP.
func BenchmarkBook(b *testing.B) {
	db := storetest.SQLite(b)
	f := servertest.New(b, db, servertest.Options{})
	svc := equipment.New(db)
	u := f.Users[servertest.ClerkOnet]
	actor := actorOf(&u)
	rodez := f.Users[servertest.ClerkRodez]
	gym, err := svc.Create(context.Background(), actorOf(&rodez), f.Orgs[servertest.Rodez].ID, equipment.Details{
		Name: "Gymnase", Kind: equipment.Gym, Unit: equipment.UnitHour, Approval: equipment.ApproveAutomatic, Active: true})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		from := start.Add(time.Duration(i) * 2 * time.Hour)
		if _, err := svc.Book(context.Background(), actor, equipment.Request{EquipmentID: gym.ID,
			RequesterOrgID: f.Orgs[servertest.Onet].ID, Start: from, End: from.Add(2 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBookConcurrent books free slots on SQLite from 64 goroutines at
// once on 16 pieces of equipment, as the HTTP benchmark's clients do, so
// that the writer commits them in groups: the time per booking is the
// machine's cost of one accepted booking (reads, group commit, audit)
// without HTTP.
func BenchmarkBookConcurrent(b *testing.B) {
	db := storetest.SQLite(b)
	f := servertest.New(b, db, servertest.Options{})
	svc := equipment.New(db)
	u := f.Users[servertest.ClerkOnet]
	actor := actorOf(&u)
	rodez := f.Users[servertest.ClerkRodez]
	var ids []int64
	for k := range 16 {
		e, err := svc.Create(context.Background(), actorOf(&rodez), f.Orgs[servertest.Rodez].ID, equipment.Details{
			Name: fmt.Sprintf("Salle %d", k), Kind: equipment.Hall, Unit: equipment.UnitHour, Approval: equipment.ApproveAutomatic, Active: true})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	start := time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)
	var next atomic.Int64
	b.SetParallelism(max(64/runtime.GOMAXPROCS(0), 1)) // 64 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			from := start.Add(time.Duration(i/16) * 2 * time.Hour)
			if _, err := svc.Book(context.Background(), actor, equipment.Request{EquipmentID: ids[i%16],
				RequesterOrgID: f.Orgs[servertest.Onet].ID, Start: from, End: from.Add(2 * time.Hour)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
