module github.com/goodyhooks/goodyhooks

go 1.22

require (
	github.com/stretchr/testify v1.12.1
	github.com/svix/svix-webhooks v1.98.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
