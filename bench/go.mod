module github.com/libcontainerd-windows/local/bench

go 1.26.8

require (
	github.com/docker/docker v26.1.3+incompatible
	github.com/libcontainerd-windows/local v0.0.0
)

replace github.com/libcontainerd-windows/local => ../
