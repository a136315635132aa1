# tsp-bridge, built from source on Debian 12 with the README's commands.
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        gcc libc6-dev make pkg-config curl libcurl4-openssl-dev libcjson-dev libmicrohttpd-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
# `make` builds tsp-bridge and tspsim, `make install` puts them in /usr/local/bin;
# TSPB_DEPS=build: only the build packages are checked (no test tooling).
RUN make TSPB_DEPS=build && make install TSPB_DEPS=build PREFIX=/usr/local

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libcurl4 libcjson1 libmicrohttpd12 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/tsp-bridge /usr/local/bin/tspsim /usr/local/bin/
ENV TSPB_LISTEN=0.0.0.0 TSPB_PORT=8090
EXPOSE 8090
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD curl -fsS http://127.0.0.1:8090/health || exit 1
USER nobody
ENTRYPOINT ["/usr/local/bin/tsp-bridge"]
