package pdf

import (
	"io"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"voisines/internal/civil"
)

// Page geometry, in millimetres: A4 portrait with margins wide enough to
// hold a page in a binder and to annotate it.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 25.0
	marginRight  = 20.0
	marginTop    = 24.0
	marginBottom = 22.0
	textWidth    = pageWidth - marginLeft - marginRight
	lineHeight   = 5.0 // for 10-point body text
	// signatureHeight is a row of signature blocks: three lines of text
	// and room below for a handwritten signature and a seal.
	signatureHeight = 38.0
	font            = "Helvetica"
)

// Colours: near-black text, a muted blue for headings, grey for the
// running header and footer.
var (
	inkText    = [3]int{30, 30, 30}
	inkHeading = [3]int{23, 55, 94}
	inkMuted   = [3]int{110, 110, 110}
	inkDraft   = [3]int{170, 40, 40}
)

// page lays a document out with fpdf.
type page struct {
	f  *fpdf.Fpdf
	tr func(string) string
}

// render writes document d as a PDF to w.
func render(w io.Writer, d document, o Options) error {
	f := fpdf.New("P", "mm", "A4", "")
	p := &page{f: f, tr: f.UnicodeTranslatorFromDescriptor("cp1252")}
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.AliasNbPages("{nb}")
	f.SetTitle(d.heading+" — "+d.title, true)
	f.SetSubject(d.header, true)
	f.SetAuthor("Voisines", true)
	f.SetCreator("Voisines", true)
	f.SetLang("fr-FR")
	created := o.GeneratedOn.Time(civil.Paris)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	f.SetHeaderFunc(func() { p.runningHeader(d.header) })
	f.SetFooterFunc(func() { p.footer(o.GeneratedOn) })
	f.AddPage()

	p.titleBlock(d)
	if len(d.visas) > 0 {
		for _, v := range d.visas {
			p.paragraph(v, 0, "", 1.2)
		}
		f.Ln(2)
	}
	if len(d.parties) > 0 {
		f.Ln(1)
		p.keepWith(2)
		p.strong("Entre les soussignés :")
		for _, s := range d.parties {
			p.paragraph(s, 6, "", 1.5)
		}
		f.Ln(1)
	}
	for _, b := range d.preamble {
		p.block(b)
	}
	for _, a := range d.articles {
		p.articleTitle(a.title)
		for _, b := range a.blocks {
			p.block(b)
		}
	}
	if len(d.closing) > 0 {
		// The closing line stays with the first signatures.
		if f.GetY()+12+signatureHeight > pageHeight-marginBottom {
			f.AddPage()
		}
		f.Ln(3)
		for _, s := range d.closing {
			p.paragraph(s, 0, "", 1.5)
		}
	}
	p.signatures(d.signatures)
	return f.Output(w)
}

func (p *page) text(s string) string { return p.tr(printable(s)) }

func (p *page) color(c [3]int) { p.f.SetTextColor(c[0], c[1], c[2]) }

func (p *page) runningHeader(s string) {
	f := p.f
	f.SetFont(font, "", 8)
	p.color(inkMuted)
	f.SetXY(marginLeft, 11)
	f.CellFormat(textWidth, 4, p.text(s), "", 0, "L", false, 0, "")
	f.SetDrawColor(190, 190, 190)
	f.SetLineWidth(0.2)
	f.Line(marginLeft, 16, pageWidth-marginRight, 16)
	f.SetXY(marginLeft, marginTop)
	p.color(inkText)
}

func (p *page) footer(generated civil.Date) {
	f := p.f
	f.SetDrawColor(190, 190, 190)
	f.SetLineWidth(0.2)
	f.Line(marginLeft, pageHeight-15, pageWidth-marginRight, pageHeight-15)
	f.SetFont(font, "", 8)
	p.color(inkMuted)
	f.SetXY(marginLeft, pageHeight-13.5)
	f.CellFormat(textWidth/2, 4, p.text("Document établi avec Voisines le "+generated.French()), "", 0, "L", false, 0, "")
	f.CellFormat(textWidth/2, 4, p.text("Page "+strconv.Itoa(f.PageNo())+"/{nb}"), "", 0, "R", false, 0, "")
	p.color(inkText)
}

func (p *page) titleBlock(d document) {
	f := p.f
	f.SetFont(font, "B", 9)
	p.color(inkHeading)
	f.MultiCell(textWidth, 4.5, p.text(d.kicker), "", "C", false)
	f.Ln(2)
	f.SetFont(font, "B", 16)
	p.color(inkText)
	f.MultiCell(textWidth, 7.5, p.text(d.heading), "", "C", false)
	if d.title != "" {
		f.Ln(1)
		f.SetFont(font, "", 12)
		f.MultiCell(textWidth, 6, p.text(d.title), "", "C", false)
	}
	for _, n := range d.notes {
		f.Ln(1)
		f.SetFont(font, "I", 9)
		if strings.HasPrefix(n, "Projet") {
			p.color(inkDraft)
		} else {
			p.color(inkMuted)
		}
		f.MultiCell(textWidth, 4.5, p.text(n), "", "C", false)
	}
	p.color(inkText)
	f.Ln(4)
	f.SetDrawColor(inkHeading[0], inkHeading[1], inkHeading[2])
	f.SetLineWidth(0.4)
	y := f.GetY()
	f.Line(marginLeft+textWidth/3, y, marginLeft+2*textWidth/3, y)
	f.Ln(6)
}

// paragraph writes justified body text, indented by indent mm, with space
// after it.
func (p *page) paragraph(s string, indent float64, style string, after float64) {
	f := p.f
	f.SetFont(font, style, 10)
	f.SetX(marginLeft + indent)
	f.MultiCell(textWidth-indent, lineHeight, p.text(s), "", "J", false)
	f.Ln(after)
}

func (p *page) strong(s string) {
	f := p.f
	f.SetFont(font, "B", 10)
	f.MultiCell(textWidth, lineHeight, p.text(s), "", "L", false)
	f.Ln(1)
}

func (p *page) block(b block) {
	switch b.kind {
	case plain:
		p.paragraph(b.text, 0, "", 1.8)
	case bullet:
		f := p.f
		f.SetFont(font, "", 10)
		f.SetX(marginLeft + 4)
		f.CellFormat(5, lineHeight, p.text("•"), "", 0, "L", false, 0, "")
		f.MultiCell(textWidth-9, lineHeight, p.text(b.text), "", "L", false)
		f.Ln(0.8)
	case label:
		p.keepWith(2)
		p.f.Ln(1.5)
		p.f.SetFont(font, "B", 10)
		p.f.MultiCell(textWidth, lineHeight, p.text(b.text), "", "L", false)
		p.f.Ln(0.5)
	case quoted:
		p.paragraph(b.text, 8, "", 1.5)
	case caption:
		p.keepWith(1)
		p.color(inkMuted)
		p.paragraph(b.text, 0, "I", 0.8)
		p.color(inkText)
	case pending:
		p.color(inkDraft)
		p.paragraph(b.text, 0, "I", 1.8)
		p.color(inkText)
	}
}

func (p *page) articleTitle(s string) {
	f := p.f
	p.keepWith(3)
	f.Ln(3)
	f.SetFont(font, "B", 11)
	p.color(inkHeading)
	f.MultiCell(textWidth, 5.5, p.text(s), "", "L", false)
	p.color(inkText)
	f.Ln(1.5)
}

// keepWith starts a new page unless a heading and n lines of what follows
// it fit on this one, so that no heading ends a page.
func (p *page) keepWith(n int) {
	if p.f.GetY()+8+float64(n)*lineHeight > pageHeight-marginBottom {
		p.f.AddPage()
	}
}

// signatures lays the signature blocks out two by two, each with room for
// a handwritten signature and a seal.
func (p *page) signatures(ss []signature) {
	const (
		gap  = 10.0
		colW = (textWidth - gap) / 2
	)
	f := p.f
	f.Ln(6)
	for i := 0; i < len(ss); i += 2 {
		if f.GetY()+signatureHeight > pageHeight-marginBottom {
			f.AddPage()
		}
		top := f.GetY()
		bottom := top
		for j := i; j < i+2 && j < len(ss); j++ {
			s := ss[j]
			x := marginLeft + float64(j-i)*(colW+gap)
			f.SetXY(x, top)
			f.SetFont(font, "", 10)
			f.MultiCell(colW, lineHeight, p.text("Fait à "+s.place+", le "+s.date), "", "L", false)
			f.SetX(x)
			f.SetFont(font, "B", 10)
			f.MultiCell(colW, lineHeight, p.text(s.party+","), "", "L", false)
			f.SetX(x)
			f.SetFont(font, "", 10)
			f.MultiCell(colW, lineHeight, p.text(s.name), "", "L", false)
			bottom = max(bottom, f.GetY())
		}
		f.SetY(max(bottom+22, top+signatureHeight)) // room to sign below the name
	}
}
