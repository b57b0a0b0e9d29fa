import Metrics
import Synchronization

/// Per-model inference metrics on `/metrics`: requests, tokens, time to first token and time
/// between tokens (histograms, in seconds).
struct InferenceMetrics: Sendable {
    let requests: Counter
    let promptTokens: Counter
    let completionTokens: Counter
    let timeToFirstToken: Timer
    let interTokenLatency: Timer

    init(model: String, endpoint: String) {
        _ = ServerMetrics.registry
        let dimensions = [("model", model), ("endpoint", endpoint)]
        requests = Counter(label: "nuri_inference_requests_total", dimensions: dimensions)
        promptTokens = Counter(label: "nuri_inference_prompt_tokens_total", dimensions: dimensions)
        completionTokens = Counter(label: "nuri_inference_completion_tokens_total", dimensions: dimensions)
        timeToFirstToken = Timer(label: "nuri_inference_time_to_first_token_seconds", dimensions: dimensions)
        interTokenLatency = Timer(label: "nuri_inference_inter_token_latency_seconds", dimensions: dimensions)
    }

    /// The metrics of one model and endpoint, made once: making them asks the metrics factory
    /// for five labelled handles, which costs more than the rest of a short request's metering.
    static func of(model: String, endpoint: String) -> InferenceMetrics {
        let key = model + "\u{0}" + endpoint
        if let known = made.withLock({ $0[key] }) { return known }
        let metrics = InferenceMetrics(model: model, endpoint: endpoint)
        made.withLock { $0[key] = metrics }
        return metrics
    }

    private static let made = Mutex<[String: InferenceMetrics]>([:])

    /// Records a finished request's counts.
    func finished(prompt: Int, completion: Int) {
        requests.increment()
        promptTokens.increment(by: prompt)
        completionTokens.increment(by: completion)
    }
}

/// Times the tokens of one generation as they arrive.
struct TokenTimer {
    let metrics: InferenceMetrics
    let started: ContinuousClock.Instant
    private var last: ContinuousClock.Instant?

    init(metrics: InferenceMetrics, started: ContinuousClock.Instant) {
        self.metrics = metrics
        self.started = started
    }

    mutating func token() {
        let now = ContinuousClock.now
        if let last {
            metrics.interTokenLatency.recordInterval(since: last, now: now)
        } else {
            metrics.timeToFirstToken.recordInterval(since: started, now: now)
        }
        last = now
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let elapsed = now - start
        recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
