module github.com/goodyhooks/goodyhooks/examples/chi

go 1.22

require (
	github.com/go-chi/chi/v5 v5.2.5
	github.com/goodyhooks/goodyhooks v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

replace github.com/goodyhooks/goodyhooks => ../..
