package equipment_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"voisines/internal/auth"
	"voisines/internal/equipment"
	"voisines/internal/server/servertest"
	"voisines/internal/store/storetest"
)

// BenchmarkBook books consecutive free slots on SQLite, one request at a
// time: the cost of the domain operation without HTTP.
func BenchmarkBook(b *testing.B) {
	svc, actor, onet, ids := benchHalls(b, 1)
	start := time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		from := start.Add(time.Duration(i) * 2 * time.Hour)
		if _, err := svc.Book(context.Background(), actor, equipment.Request{EquipmentID: ids[0],
			RequesterOrgID: onet, Start: from, End: from.Add(2 * time.Hour)}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchHalls returns a service on a new SQLite database with n halls of
// Rodez booked automatically, and a clerk of Onet with Onet's id.
func benchHalls(b *testing.B, n int) (svc *equipment.Service, actor auth.Actor, onet int64, ids []int64) {
	db := storetest.SQLite(b)
	f := servertest.New(b, db, servertest.Options{})
	svc = equipment.New(db)
	u := f.Users[servertest.ClerkOnet]
	rodez := f.Users[servertest.ClerkRodez]
	for k := range n {
		e, err := svc.Create(context.Background(), actorOf(&rodez), f.Orgs[servertest.Rodez].ID, equipment.Details{
			Name: fmt.Sprintf("Salle %d", k+1), Kind: equipment.Hall, Unit: equipment.UnitHour, Approval: equipment.ApproveAutomatic, Active: true})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	return svc, actorOf(&u), f.Orgs[servertest.Onet].ID, ids
}

// BenchmarkBookConcurrent books free slots on SQLite from 64 goroutines at
// once on 16 pieces of equipment, as the HTTP benchmark's clients do, so
// that the writer commits them in groups: the time per booking is the
// machine's cost of one accepted booking (reads, group commit, audit)
// without HTTP.
func BenchmarkBookConcurrent(b *testing.B) {
	svc, actor, onet, ids := benchHalls(b, 16)
	start := time.Date(2031, 1, 6, 0, 0, 0, 0, time.UTC)
	var next atomic.Int64
	b.SetParallelism(max(64/runtime.GOMAXPROCS(0), 1)) // 64 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			from := start.Add(time.Duration(i/16) * 2 * time.Hour)
			if _, err := svc.Book(context.Background(), actor, equipment.Request{EquipmentID: ids[i%16],
				RequesterOrgID: onet, Start: from, End: from.Add(2 * time.Hour)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
