module github.com/goodyhooks/goodyhooks/examples/chi

go 1.22

require (
	github.com/go-chi/chi/v5 v5.2.5
	github.com/goodyhooks/goodyhooks v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/svix/svix-webhooks v1.98.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)

replace github.com/goodyhooks/goodyhooks => ../..
