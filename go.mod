module github.com/goodyhooks/goodyhooks

go 1.22
