/// Where each known field sits in a user CSV, found from its header line.
///
/// Header names are matched ignoring case and surrounding whitespace, in any order; unknown columns
/// (a WordPress export's `ID`, `user_url`, `user_registered`, …) are ignored.
struct ImportColumns {
    /// A field ResetPress reads from a user CSV.
    enum Field: Int, CaseIterable {
        case login, email, displayName, nickname, firstName, lastName, password, passwordHash, locale

        /// Accepted header names, lowercased.
        var headerNames: [String] {
            switch self {
            case .login: return ["login", "user_login"]
            case .email: return ["email", "user_email"]
            case .displayName: return ["display_name"]
            case .nickname: return ["nickname"]
            case .firstName: return ["first_name"]
            case .lastName: return ["last_name"]
            case .password: return ["password"]
            case .passwordHash: return ["password_hash", "user_pass"]
            case .locale: return ["locale"]
            }
        }
    }

    /// The column index of each field, indexed by `Field.rawValue`.
    private let indices: [Int?]
    /// How many columns the header has.
    let count: Int

    /// Maps `header`; throws when the email column is missing or a field has two columns.
    init(header: [String]) throws(UserImportError) {
        var indices = [Int?](repeating: nil, count: Field.allCases.count)
        for (index, name) in header.enumerated() {
            let key = name.trimmingWhitespace().lowercased()
            guard let field = Field.allCases.first(where: { $0.headerNames.contains(key) }) else { continue }
            if let earlier = indices[field.rawValue] {
                throw .duplicateColumn(first: header[earlier], second: name)
            }
            indices[field.rawValue] = index
        }
        guard indices[Field.email.rawValue] != nil else { throw .missingEmailColumn(header: header) }
        self.indices = indices
        self.count = header.count
    }

    /// The raw value of `field` in `fields`; empty when the column is absent or the record is short.
    func raw(_ field: Field, in fields: [String]) -> String {
        guard let index = indices[field.rawValue], index < fields.count else { return "" }
        return fields[index]
    }

    /// The value of `field` in `fields` without surrounding whitespace.
    func trimmed(_ field: Field, in fields: [String]) -> String {
        raw(field, in: fields).trimmingWhitespace()
    }
}

extension String {
    /// The string without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x7f, last > 0x20, last < 0x7f {
            return self
        }
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
