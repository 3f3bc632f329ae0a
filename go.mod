module github.com/nginit/nginit

go 1.26
