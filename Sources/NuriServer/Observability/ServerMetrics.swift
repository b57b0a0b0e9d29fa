import Metrics
import Prometheus

/// The process's metrics registry, exported at `/metrics` in Prometheus' text format.
///
/// swift-metrics has one global backend per process, so the registry is created and bootstrapped
/// once, on first use, however many applications the process builds (tests build many).
enum ServerMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Hummingbird's metric names use dots (`http.server.request.duration`); Prometheus
        // allows only [a-zA-Z0-9_:], so map the rest to underscores.
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitise(name), labels.map { (sanitise($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    static func sanitise(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar in
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == ":"
            return ok ? Character(scalar) : "_"
        })
    }
}
