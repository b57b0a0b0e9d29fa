import Foundation

/// A self-contained HTML page of one or more simulations (side by side when comparing policies):
/// a summary table and three inline SVG plots — utilisation over time, queueing delay per tier,
/// and allocation burn. No scripts, no external files.
extension SimulationReport {
    public static func html(_ reports: [SimulationReport]) -> String {
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Nuri compute simulation</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px;color:#222}
            table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
            th:first-child,td:first-child{text-align:left}svg{background:#fafafa;border:1px solid #ddd}
            .legend span{display:inline-block;margin-right:1.5em}
            </style></head><body>
            <h1>Scheduling simulation</h1>

            """
        page += "<p>Workload: \(escape(reports.first?.workload ?? "")) on \(reports.first?.gpus ?? 0) GPUs.</p>\n"
        page += "<p class=\"legend\">" + reports.enumerated().map { index, report in
            "<span style=\"color:\(colours[index % colours.count])\">■ \(escape(report.policyName))</span>"
        }.joined() + "</p>\n"
        // Summary.
        page += "<h2>Summary</h2><table><tr><th>figure</th>" + reports.map { "<th>\(escape($0.policyName))</th>" }.joined() + "</tr>\n"
        func row(_ name: String, _ value: (SimulationReport) -> String) {
            page += "<tr><td>\(name)</td>" + reports.map { "<td>\(value($0))</td>" }.joined() + "</tr>\n"
        }
        row("jobs finished / submitted") { "\($0.jobsFinished) / \($0.jobsSubmitted)" }
        row("GPU utilisation while jobs arrive") { percent($0.utilisation) }
        row("GPU utilisation to the last end") { percent($0.utilisationToTheEnd) }
        row("queueing delay mean / p50 / p99") { "\(duration($0.queueingDelay.mean)) / \(duration($0.queueingDelay.p50)) / \(duration($0.queueingDelay.p99))" }
        row("completion time mean / p50 / p99") { "\(duration($0.completionTime.mean)) / \(duration($0.completionTime.p50)) / \(duration($0.completionTime.p99))" }
        row("Jain's fairness index") { String(format: "%.3f", $0.jainsFairnessIndex) }
        row("preemptions (GPU-hours lost)") { "\($0.preemptions) (\(String(format: "%.0f", $0.preemptedGPUHoursLost)))" }
        row("GPU-hours charged") { String(format: "%.0f", $0.gpuHoursCharged) }
        page += "</table>\n"
        // Per tier.
        page += "<h2>Per tier</h2><table><tr><th>tier</th>" + reports.map {
            "<th>\(escape($0.policyName)): jobs</th><th>delay mean</th><th>p50</th><th>p99</th>"
        }.joined() + "</tr>\n"
        for tier in Tier.allCases {
            let cells = reports.map { report -> String in
                guard let figures = report.tiers.first(where: { $0.tier == tier.rawValue }) else { return "<td>–</td><td></td><td></td><td></td>" }
                return "<td>\(figures.jobs)</td><td>\(duration(figures.queueingDelay.mean))</td><td>\(duration(figures.queueingDelay.p50))</td><td>\(duration(figures.queueingDelay.p99))</td>"
            }
            guard cells.contains(where: { !$0.hasPrefix("<td>–") }) else { continue }
            page += "<tr><td>\(tier.rawValue)</td>" + cells.joined() + "</tr>\n"
        }
        page += "</table>\n"
        // Utilisation over time.
        page += "<h2>GPU utilisation over time</h2>\n"
        let span = reports.flatMap { $0.samples.map(\.time) }.max() ?? 1
        page += lineChart(series: reports.enumerated().map { index, report in
            (colours[index % colours.count], report.samples.map { ($0.time, $0.utilisation) })
        }, xMax: max(span, 1), yMax: 1, xLabel: "days since the first submission", xScale: 86_400, yLabel: "busy GPUs / all")
        // Queueing delay per tier.
        page += "<h2>Queueing delay per tier (mean, hours)</h2>\n"
        page += delayBars(reports, colours: colours)
        // Burn.
        let burning = reports.enumerated().flatMap { index, report in report.burn.map { (index, report, $0) } }
        if !burning.isEmpty {
            page += "<h2>Allocation burn (GPU-hours charged / budget)</h2>\n"
            let yMax = max(1, burning.flatMap { $0.2.burned }.max() ?? 1)
            page += lineChart(series: burning.map { index, report, burn in
                (colours[index % colours.count], zip(report.samples, burn.burned).map { ($0.time, $1) })
            }, xMax: max(span, 1), yMax: yMax, xLabel: "days since the first submission", xScale: 86_400, yLabel: "burned")
            page += "<p>" + burning.map { "\(escape($0.2.project)) (\(String(format: "%.0f", $0.2.budgetGPUHours)) GPU-h)" }.joined(separator: ", ") + "</p>\n"
        }
        page += "</body></html>\n"
        return page
    }

    static func lineChart(series: [(colour: String, points: [(Double, Double)])], xMax: Double, yMax: Double,
                          xLabel: String, xScale: Double, yLabel: String) -> String {
        let width = 900.0, height = 260.0, left = 50.0, bottom = 30.0, top = 10.0, right = 10.0
        let plotW = width - left - right, plotH = height - top - bottom
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for tick in 0...4 {
            let y = top + plotH - plotH * Double(tick) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - right)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 5)\" y=\"\(y + 4)\" font-size=\"10\" text-anchor=\"end\">\(String(format: "%.2g", yMax * Double(tick) / 4))</text>\n"
        }
        for tick in 0...5 {
            let x = left + plotW * Double(tick) / 5
            svg += "<text x=\"\(x)\" y=\"\(height - 12)\" font-size=\"10\" text-anchor=\"middle\">\(String(format: "%.1f", xMax * Double(tick) / 5 / xScale))</text>\n"
        }
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 1)\" font-size=\"10\" text-anchor=\"middle\">\(xLabel)</text>"
        svg += "<text x=\"10\" y=\"\(top + plotH / 2)\" font-size=\"10\" transform=\"rotate(-90 10 \(top + plotH / 2))\" text-anchor=\"middle\">\(yLabel)</text>\n"
        for (colour, points) in series where !points.isEmpty {
            let path = points.map { x, y in
                String(format: "%.1f,%.1f", left + plotW * x / xMax, top + plotH - plotH * min(y, yMax) / yMax)
            }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
        }
        return svg + "</svg>\n"
    }

    static func delayBars(_ reports: [SimulationReport], colours: [String]) -> String {
        let tiers = Tier.allCases.filter { tier in reports.contains { $0.tiers.contains { $0.tier == tier.rawValue } } }
        let width = 900.0, height = 260.0, left = 50.0, bottom = 30.0, top = 10.0
        let plotH = height - top - bottom
        let values = reports.map { report in tiers.map { tier in (report.tiers.first { $0.tier == tier.rawValue }?.queueingDelay.mean ?? 0) / 3_600 } }
        let yMax = max(values.flatMap { $0 }.max() ?? 0, 0.01)
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for tick in 0...4 {
            let y = top + plotH - plotH * Double(tick) / 4
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(width - 10)\" y2=\"\(y)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 5)\" y=\"\(y + 4)\" font-size=\"10\" text-anchor=\"end\">\(String(format: "%.2g", yMax * Double(tick) / 4))</text>\n"
        }
        let group = (width - left - 20) / Double(max(tiers.count, 1))
        let bar = group * 0.8 / Double(max(reports.count, 1))
        for (t, tier) in tiers.enumerated() {
            let x0 = left + 10 + group * Double(t)
            for (r, report) in values.enumerated() {
                let h = plotH * report[t] / yMax
                let geometry = String(format: "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x0 + bar * Double(r), top + plotH - h, bar - 2, h)
                svg += "<rect \(geometry) fill=\"\(colours[r % colours.count])\"><title>\(escape(reports[r].policyName)) \(tier.rawValue): \(String(format: "%.2f", report[t])) h</title></rect>\n"
            }
            svg += "<text x=\"\(x0 + group * 0.4)\" y=\"\(height - 12)\" font-size=\"11\" text-anchor=\"middle\">\(tier.rawValue)</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f %%", value * 100) }

    /// A duration in the unit a reader takes in at a glance.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%.0f s", seconds) }
        if seconds < 7_200 { return String(format: "%.1f min", seconds / 60) }
        if seconds < 172_800 { return String(format: "%.1f h", seconds / 3_600) }
        return String(format: "%.1f d", seconds / 86_400)
    }
}
