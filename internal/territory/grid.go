package territory

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// grid is an in-memory spatial index of the communes' points: the globe cut
// into latitude bands of bandDeg degrees, each band's points sorted by
// longitude. A radius query visits the few bands its bounding box crosses and
// binary-searches each for the box's longitudes, so finding the communes
// within r km of every commune costs O(n·k) for k neighbours, not O(n²).
type grid struct {
	pts    []gridPoint      // sorted by band, then longitude
	start  []int32          // start[b] is the index of band b's first point; len = bands+1
	index  map[string]int32 // commune code → position in pts
	byCode []int32          // positions in pts, in code order
}

type gridPoint struct {
	ref     CommuneRef
	p       Point
	band    int32
	x, y, z float64 // the point on the unit sphere, for a cheap first test
}

func unitVector(p Point) (x, y, z float64) {
	const rad = math.Pi / 180
	sinLat, cosLat := math.Sincos(p.Lat * rad)
	sinLon, cosLon := math.Sincos(p.Lon * rad)
	return cosLat * cosLon, cosLat * sinLon, sinLat
}

// bandDeg is the height of a band: 0.05° of latitude is about 5.6 km, a few
// communes wide in metropolitan France.
const bandDeg = 0.05

var bandCount = int(math.Ceil(180/bandDeg)) + 1

func bandOf(lat float64) int {
	return min(max(int(math.Floor((lat+90)/bandDeg)), 0), bandCount-1)
}

func newGrid(pts []gridPoint) *grid {
	for i := range pts {
		pts[i].band = int32(bandOf(pts[i].p.Lat))
		pts[i].x, pts[i].y, pts[i].z = unitVector(pts[i].p)
	}
	slices.SortFunc(pts, func(a, b gridPoint) int {
		if c := cmp.Compare(a.band, b.band); c != 0 {
			return c
		}
		if c := cmp.Compare(a.p.Lon, b.p.Lon); c != 0 {
			return c
		}
		return cmp.Compare(a.ref.Code, b.ref.Code)
	})
	g := &grid{pts: pts, start: make([]int32, bandCount+1), index: make(map[string]int32, len(pts))}
	b := 0
	for i, p := range pts {
		for b <= int(p.band) {
			g.start[b] = int32(i)
			b++
		}
		g.index[p.ref.Code] = int32(i)
	}
	for ; b <= bandCount; b++ {
		g.start[b] = int32(len(pts))
	}
	g.byCode = make([]int32, len(pts))
	for i := range g.byCode {
		g.byCode[i] = int32(i)
	}
	slices.SortFunc(g.byCode, func(a, b int32) int { return cmp.Compare(pts[a].ref.Code, pts[b].ref.Code) })
	return g
}

// within calls fn for every point within km of p (p's own commune included),
// with its great-circle distance. That distance is derived from the chord
// between the points on the unit sphere (2R·asin(c/2)): the same as
// Distance's haversine to a few nanometres, and half its cost.
func (g *grid) within(p Point, km float64, fn func(i int32, d float64)) {
	theta := km / EarthRadiusKm // angular radius, radians
	px, py, pz := unitVector(p)
	chord := 2 * math.Sin(min(theta, math.Pi)/2)
	limit := chord * chord * (1 + 1e-9) // a margin for rounding; d <= km decides
	test := func(i int) {
		q := &g.pts[i]
		dx, dy, dz := q.x-px, q.y-py, q.z-pz
		c2 := dx*dx + dy*dy + dz*dz
		if c2 > limit {
			return
		}
		if d := 2 * EarthRadiusKm * asinSmall(min(math.Sqrt(c2)/2, 1)); d <= km {
			fn(int32(i), d)
		}
	}
	if theta >= math.Pi/2 {
		for i := range g.pts {
			test(i)
		}
		return
	}
	dLat := theta * 180 / math.Pi
	latMin, latMax := p.Lat-dLat, p.Lat+dLat
	// Longitudes of the circle's bounding box (exact on the sphere); a circle
	// around a pole covers every longitude.
	all := latMin <= -90 || latMax >= 90
	var dLon float64
	if !all {
		s := math.Sin(theta) / math.Cos(p.Lat*math.Pi/180)
		if s >= 1 {
			all = true
		} else {
			dLon = math.Asin(s) * 180 / math.Pi
		}
	}
	// A hair of slack keeps rounding from cutting off a point on the edge.
	const eps = 1e-9
	type span struct{ lo, hi float64 }
	spans := make([]span, 0, 2)
	switch lo, hi := p.Lon-dLon-eps, p.Lon+dLon+eps; {
	case all:
		spans = append(spans, span{-180, 180})
	case lo < -180:
		spans = append(spans, span{-180, hi}, span{lo + 360, 180})
	case hi > 180:
		spans = append(spans, span{lo, 180}, span{-180, hi - 360})
	default:
		spans = append(spans, span{lo, hi})
	}
	for b := bandOf(latMin - eps); b <= bandOf(latMax+eps); b++ {
		first := int(g.start[b])
		band := g.pts[first:g.start[b+1]]
		for _, s := range spans {
			i := sort.Search(len(band), func(i int) bool { return band[i].p.Lon >= s.lo })
			for ; i < len(band) && band[i].p.Lon <= s.hi; i++ {
				test(first + i)
			}
		}
	}
}

// asinSmall is math.Asin, computed for x < 0.01 (half-chords under about 127
// km, the neighbour searches' usual range) by its Taylor series, whose first
// omitted term is below 1e-17·x: as precise as float64 allows, and several times
// cheaper (within an ulp or two of math.Asin).
func asinSmall(x float64) float64 {
	if x >= 0.01 {
		return math.Asin(x)
	}
	x2 := x * x
	return x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(5.0/112))))
}
