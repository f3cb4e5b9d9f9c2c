package report

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// noteMarkdown renders a rule's investigation guide. Raw HTML in the
// Markdown is left out (goldmark's default; html.WithUnsafe is not set), and
// textLinks writes links and images as text, so the report never fetches
// anything and a click in it never leaves the page.
var noteMarkdown = goldmark.New(
	goldmark.WithExtensions(
		// GFM without its table style attributes, which the page's
		// Content-Security-Policy would refuse.
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.Linkify,
		extension.TaskList,
	),
	goldmark.WithRendererOptions(
		renderer.WithNodeRenderers(util.Prioritized(textLinks{}, 100)), // before goldmark's own, at 1000
	),
)

// renderNote renders the Markdown note as HTML.
func renderNote(note string) (template.HTML, error) {
	if note == "" {
		return "", nil
	}
	var buf bytes.Buffer
	if err := noteMarkdown.Convert([]byte(note), &buf); err != nil {
		return "", err
	}
	// goldmark escaped every piece of text and let no raw HTML through.
	return template.HTML(buf.String()), nil
}

// textLinks renders links, autolinks and images as text: a link as its text
// followed by its address, an image as its alt text and address.
type textLinks struct{}

func (textLinks) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindImage, renderImage)
}

func renderLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	if entering {
		w.WriteString(`<span class="link">`)
		return ast.WalkContinue, nil
	}
	w.WriteString(`</span>`)
	if len(n.Destination) > 0 && !bytes.Equal(n.Destination, linkText(source, n)) {
		writeURL(w, n.Destination)
	}
	return ast.WalkContinue, nil
}

func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		n := node.(*ast.AutoLink)
		w.WriteString(`<span class="link url">`)
		w.Write(util.EscapeHTML(n.Label(source)))
		w.WriteString(`</span>`)
	}
	return ast.WalkSkipChildren, nil
}

func renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Image)
	if entering {
		w.WriteString(`<span class="image">[image: `)
		return ast.WalkContinue, nil
	}
	if len(n.Destination) > 0 {
		writeURL(w, n.Destination)
	}
	w.WriteString(`]</span>`)
	return ast.WalkContinue, nil
}

// writeURL writes an address as text.
func writeURL(w util.BufWriter, url []byte) {
	w.WriteString(` <span class="url">`)
	w.Write(util.EscapeHTML(url))
	w.WriteString(`</span>`)
}

// linkText returns the plain text of a link's children.
func linkText(source []byte, n ast.Node) []byte {
	var b []byte
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			b = append(b, t.Value(source)...)
		} else {
			return nil
		}
	}
	return b
}
