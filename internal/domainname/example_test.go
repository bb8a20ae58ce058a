package domainname_test

import (
	"errors"
	"fmt"

	"github.com/openregistrar/registrar/internal/domainname"
)

func ExampleParse() {
	n, err := domainname.Parse("Bücher.co.uk.")
	if err != nil {
		panic(err)
	}
	fmt.Println(n.ASCII, n.Unicode, n.Label, n.Extension)

	_, err = domainname.Parse("www.example.com")
	var e *domainname.Error
	if errors.As(err, &e) {
		fmt.Println(e.Rule)
		fmt.Println(e)
	}
	// Output:
	// xn--bcher-kva.co.uk bücher.co.uk xn--bcher-kva co.uk
	// not_registrable
	// domain name "www.example.com" is a subdomain; only "example.com" can be registered
}

func ExampleParseExtension() {
	for _, s := range []string{".COM", "co.uk", "みんな"} {
		ext, err := domainname.ParseExtension(s)
		fmt.Println(ext, err)
	}
	// Output:
	// com <nil>
	// co.uk <nil>
	// xn--q9jyb4c <nil>
}
