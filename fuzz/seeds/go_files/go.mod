module example.com/app

go 1.22

require (
	golang.org/x/net v0.17.0 // indirect
	github.com/me/local v0.0.0
)

replace github.com/me/local => ../local
