// Prints the trees Go's own template parser (text/template/parse) builds for each file named
// on the command line, in the exact form that ktera's parser tests compare with
// (src/convert/tests/go_view.rs): one block per file, the file's own tree first, then each
// defined template by name. Text is printed with strconv.QuoteToASCII, numbers with every
// representation Go computes (floats as their bits), so that equal output means equal trees.
package main

import (
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/template/parse"
)

func main() {
	for _, path := range os.Args[1:] {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("== %s\n", path)
		fmt.Print(view(string(data)))
	}
}

func view(text string) string {
	t := parse.New("file")
	t.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := t.Parse(text, "", "", trees); err != nil {
		return "error\n"
	}
	var b strings.Builder
	b.WriteString("-- root\n")
	list(&b, trees["file"].Root)
	b.WriteString("\n")
	names := []string{}
	for name := range trees {
		if name != "file" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		b.WriteString("-- define " + strconv.QuoteToASCII(name) + "\n")
		list(&b, trees[name].Root)
		b.WriteString("\n")
	}
	return b.String()
}

func list(b *strings.Builder, l *parse.ListNode) {
	if l == nil {
		return
	}
	for _, n := range l.Nodes {
		node(b, n)
	}
}

func node(b *strings.Builder, n parse.Node) {
	switch n := n.(type) {
	case *parse.TextNode:
		b.WriteString(strconv.QuoteToASCII(string(n.Text)))
	case *parse.ActionNode:
		b.WriteString("{{")
		pipe(b, n.Pipe)
		b.WriteString("}}")
	case *parse.IfNode:
		branch(b, "if", &n.BranchNode)
	case *parse.RangeNode:
		branch(b, "range", &n.BranchNode)
	case *parse.WithNode:
		branch(b, "with", &n.BranchNode)
	case *parse.TemplateNode:
		b.WriteString("{{template " + strconv.QuoteToASCII(n.Name))
		if n.Pipe != nil {
			b.WriteString(" ")
			pipe(b, n.Pipe)
		}
		b.WriteString("}}")
	case *parse.BreakNode:
		b.WriteString("{{break}}")
	case *parse.ContinueNode:
		b.WriteString("{{continue}}")
	default:
		b.WriteString(fmt.Sprintf("<unknown %T>", n))
	}
}

func branch(b *strings.Builder, keyword string, n *parse.BranchNode) {
	b.WriteString("{{" + keyword + " ")
	pipe(b, n.Pipe)
	b.WriteString("}}")
	list(b, n.List)
	if n.ElseList != nil {
		b.WriteString("{{else}}")
		list(b, n.ElseList)
	}
	b.WriteString("{{end}}")
}

func pipe(b *strings.Builder, p *parse.PipeNode) {
	for i, v := range p.Decl {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strings.Join(v.Ident, "."))
	}
	if len(p.Decl) > 0 {
		if p.IsAssign {
			b.WriteString(" = ")
		} else {
			b.WriteString(" := ")
		}
	}
	for i, c := range p.Cmds {
		if i > 0 {
			b.WriteString(" | ")
		}
		for j, a := range c.Args {
			if j > 0 {
				b.WriteString(" ")
			}
			arg(b, a)
		}
	}
}

func arg(b *strings.Builder, n parse.Node) {
	switch n := n.(type) {
	case *parse.DotNode:
		b.WriteString(".")
	case *parse.NilNode:
		b.WriteString("nil")
	case *parse.BoolNode:
		b.WriteString(strconv.FormatBool(n.True))
	case *parse.FieldNode:
		b.WriteString("." + strings.Join(n.Ident, "."))
	case *parse.VariableNode:
		b.WriteString(strings.Join(n.Ident, "."))
	case *parse.IdentifierNode:
		b.WriteString(n.Ident)
	case *parse.ChainNode:
		arg(b, n.Node)
		for _, f := range n.Field {
			b.WriteString("." + f)
		}
	case *parse.PipeNode:
		b.WriteString("(")
		pipe(b, n)
		b.WriteString(")")
	case *parse.StringNode:
		b.WriteString(n.Quoted + "=" + strconv.QuoteToASCII(n.Text))
	case *parse.NumberNode:
		b.WriteString(n.Text + "[")
		if n.IsInt {
			b.WriteString(fmt.Sprintf("i%d", n.Int64))
		}
		if n.IsUint {
			b.WriteString(fmt.Sprintf("u%d", n.Uint64))
		}
		if n.IsFloat {
			b.WriteString(fmt.Sprintf("f%x", math.Float64bits(n.Float64)))
		}
		if n.IsComplex {
			b.WriteString(fmt.Sprintf("c%x,%x", math.Float64bits(real(n.Complex128)), math.Float64bits(imag(n.Complex128))))
		}
		b.WriteString("]")
	default:
		b.WriteString(fmt.Sprintf("<unknown %T>", n))
	}
}
