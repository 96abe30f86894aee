# perflab image for `perflab netperf cluster --image ...` (server and client pods
# run this same binary). Build from the repository root:
#   docker build -t <registry>/perflab:dev . && docker push <registry>/perflab:dev
# The binary is static (CGO off), so the runtime image needs nothing else.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/perflab ./cmd/perflab

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/perflab /usr/local/bin/perflab
ENTRYPOINT ["perflab"]
CMD ["netperf", "server", "--bind", "0.0.0.0"]
