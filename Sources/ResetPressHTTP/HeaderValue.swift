/// A parsed header value of the form `token; name=value; name="quoted value"` (Content-Type,
/// Content-Disposition). Parameter names are lower-cased; quoted values are unescaped.
struct HeaderValue: Equatable {
    /// The leading token, lower-cased (`multipart/form-data`, `form-data`).
    let token: String
    /// The parameters by lower-cased name; a repeated name keeps the first value.
    let parameters: [String: String]

    init(_ text: String) {
        var scalars = Substring(text).unicodeScalars[...]
        let token = Self.read(&scalars, until: ";")
        self.token = token.trimmingWhitespace().lowercased()
        var parameters: [String: String] = [:]
        while !scalars.isEmpty {
            scalars.removeFirst()
            let name = Self.read(&scalars, until: "=;").trimmingWhitespace().lowercased()
            var value = ""
            if scalars.first == "=" {
                scalars.removeFirst()
                Self.skipWhitespace(&scalars)
                if scalars.first == "\"" {
                    value = Self.readQuoted(&scalars)
                    _ = Self.read(&scalars, until: ";")
                } else {
                    value = Self.read(&scalars, until: ";").trimmingWhitespace()
                }
            }
            if !name.isEmpty, parameters[name] == nil {
                parameters[name] = value
            }
        }
        self.parameters = parameters
    }

    private static func read(_ scalars: inout Substring.UnicodeScalarView.SubSequence, until stops: String) -> String {
        var output = String.UnicodeScalarView()
        while let scalar = scalars.first, !stops.unicodeScalars.contains(scalar) {
            output.append(scalar)
            scalars.removeFirst()
        }
        return String(output)
    }

    private static func readQuoted(_ scalars: inout Substring.UnicodeScalarView.SubSequence) -> String {
        scalars.removeFirst()
        var output = String.UnicodeScalarView()
        while let scalar = scalars.first {
            scalars.removeFirst()
            if scalar == "\"" { break }
            if scalar == "\\", let escaped = scalars.first {
                scalars.removeFirst()
                output.append(escaped)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    private static func skipWhitespace(_ scalars: inout Substring.UnicodeScalarView.SubSequence) {
        while let scalar = scalars.first, scalar == " " || scalar == "\t" {
            scalars.removeFirst()
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
