# The Eclipse Trace Compass trace server (incubator build) on Java 17, with a
# sample LTTng kernel trace under /traces/sample.
FROM eclipse-temurin:17-jre
ARG SERVER_URL=https://download.eclipse.org/tracecompass.incubator/trace-server/rcp/trace-compass-server-latest-linux.gtk.x86_64.tar.gz
# Tracevizlab's tutorial traces (CC BY 4.0, dorsal-lab/Tracevizlab).
ARG TRACES_URL=https://github.com/dorsal-lab/Tracevizlab/raw/master/labs/TraceCompassTutorialTraces.tgz
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /opt/trace-server /traces \
    && curl -fsSL "$SERVER_URL" | tar -xz -C /opt/trace-server \
    && ln -s "$(find /opt/trace-server -name tracecompass-server -type f | head -n 1)" /usr/local/bin/tracecompass-server \
    && curl -fsSL "$TRACES_URL" | tar -xz -C /traces \
    && kernel="$(find /traces -name metadata -path '*kernel*' | head -n 1)" \
    && test -n "$kernel" && ln -s "$(dirname "$kernel")" /traces/sample
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --retries=60 CMD curl -fsS http://127.0.0.1:8080/tsp/api/health || exit 1
ENTRYPOINT ["tracecompass-server", "-vmargs", "-Dtraceserver.port=8080"]
