package equipment_test

import (
	"context"
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
