import Foundation

/// The functions every template can call: Jinja's `range`, `namespace` and `dict`, and the two
/// Hugging Face adds for chat templates, `raise_exception` and `strftime_now`.
enum JinjaGlobals {
    static let names: Set<String> = ["range", "namespace", "dict", "raise_exception", "strftime_now"]

    /// Jinja's sandbox refuses larger ranges; Hugging Face renders in that sandbox.
    static let maximumRange = 100_000

    static func call(_ name: String, _ arguments: JinjaCallValues, clock: JinjaClock) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "range": return try range(arguments)
        case "namespace":
            let namespace = JinjaNamespace()
            namespace.attributes = try keywordObject("namespace", arguments)
            return .namespace(namespace)
        case "dict": return .object(try keywordObject("dict", arguments))
        case "raise_exception":
            let message = arguments.value(0, "message")?.pythonString ?? ""
            throw ChatTemplateError(kind: .raised, message: message, line: 0, column: 0, construct: "raise_exception")
        case "strftime_now":
            guard case .string(let format)? = arguments.value(0, "format") else {
                throw .runtime("strftime_now() needs a format string")
            }
            return .string(strftime(format, clock))
        default:
            throw .runtime("'\(name)' is undefined")
        }
    }

    private static func range(_ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaValue {
        guard arguments.keywords.isEmpty, (1...3).contains(arguments.positional.count) else {
            throw .runtime("range() takes 1 to 3 positional integer arguments")
        }
        var bounds: [Int] = []
        for value in arguments.positional {
            guard let integer = value.integerValue else {
                throw .runtime("'\(value.typeName)' object cannot be interpreted as an integer")
            }
            bounds.append(integer)
        }
        let (start, stop) = bounds.count == 1 ? (0, bounds[0]) : (bounds[0], bounds[1])
        let step = bounds.count == 3 ? bounds[2] : 1
        guard step != 0 else { throw .runtime("range() arg 3 must not be zero") }
        // ceil(|stop - start| / |step|) in unsigned arithmetic, which cannot overflow.
        let ascending = step > 0
        guard ascending ? start < stop : start > stop else { return .array([]) }
        let span = ascending ? UInt(bitPattern: stop &- start) : UInt(bitPattern: start &- stop)
        let count = (span - 1) / step.magnitude + 1
        guard count <= UInt(maximumRange) else {
            throw .runtime("range too big: the sandbox allows at most \(maximumRange) items")
        }
        // Every value lies between start and stop, so wrapping arithmetic gives it exactly.
        return .array((0..<Int(count)).map { .int(start &+ $0 &* step) })
    }

    /// `namespace(mapping?, key=value, …)` and `dict(…)`: a dict from an optional dict and keywords.
    private static func keywordObject(_ function: String, _ arguments: JinjaCallValues) throws(ChatTemplateError) -> JinjaObject {
        var object = JinjaObject()
        if arguments.positional.count > 1 { throw .runtime("\(function)() takes at most one positional argument") }
        if let first = arguments.positional.first {
            guard case .object(let initial) = first else {
                throw .runtime("\(function)() positional argument must be a dict, not \(first.typeName)")
            }
            object = initial
        }
        for (key, value) in arguments.keywords { object[key] = value }
        return object
    }

    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]

    /// The C-locale `strftime` directives templates use for dates (Llama 3.2 asks for `%d %b %Y`);
    /// `%-d` style (no padding) is accepted as glibc does. Unknown directives are kept as written.
    static func strftime(_ format: String, _ clock: JinjaClock) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = clock.timeZone
        let date = clock.now
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let (year, month, day) = (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        let (hour, minute, second) = (parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        let weekday = weekdays[((parts.weekday ?? 1) - 1 + 7) % 7]
        let monthName = months[(month - 1 + 12) % 12]
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        var result = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            guard var directive = characters.next() else {
                result.append("%")
                break
            }
            var pad = true
            if directive == "-", let next = characters.next() {
                pad = false
                directive = next
            }
            func number(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return pad && text.count < width ? String(repeating: "0", count: width - text.count) + text : text
            }
            switch directive {
            case "a": result += weekday.prefix(3)
            case "A": result += weekday
            case "b", "h": result += monthName.prefix(3)
            case "B": result += monthName
            case "d": result += number(day, 2)
            case "e": result += pad && day < 10 ? " \(day)" : String(day)
            case "H": result += number(hour, 2)
            case "I": result += number(hour % 12 == 0 ? 12 : hour % 12, 2)
            case "j": result += number(dayOfYear, 3)
            case "m": result += number(month, 2)
            case "M": result += number(minute, 2)
            case "p": result += hour < 12 ? "AM" : "PM"
            case "S": result += number(second, 2)
            case "y": result += number(year % 100, 2)
            case "Y": result += String(year)
            case "%": result += "%"
            default: result += "%" + (pad ? "" : "-") + String(directive)
            }
        }
        return result
    }
}

/// The time `strftime_now` reports: the wall clock in the local time zone when rendering for real
/// (as Hugging Face's `datetime.now()`), a fixed instant in tests.
struct JinjaClock {
    var now: Date
    var timeZone: TimeZone

    static var system: JinjaClock { JinjaClock(now: Date(), timeZone: .current) }
}
