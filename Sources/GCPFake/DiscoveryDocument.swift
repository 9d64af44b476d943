import Foundation

/// The part of a Google API discovery document the fake judges requests by: every method's HTTP verb, path
/// template and parameters, and the schemas of request bodies.
struct DiscoveryDocument: Sendable {
    indirect enum Schema: Sendable {
        case reference(String)
        case object(properties: [String: Schema], additional: Schema?)
        case array(Schema)
        case string(format: String?, values: [String]?)
        case integer
        case number
        case boolean
        case any
    }

    struct Parameter: Sendable {
        var type: String
        var location: String
        var repeated: Bool
        var format: String?
    }

    enum Segment: Sendable {
        case literal(String)
        /// `{name}` with an optional `:verb` suffix.
        case variable(verb: String?)
    }

    struct Method: Sendable {
        var id: String
        var httpMethod: String
        var segments: [Segment]
        var parameters: [String: Parameter]
        var request: String?
        var response: String?
    }

    let name: String
    let methods: [Method]
    let schemas: [String: Schema]
    let standardParameters: [String: Parameter]

    /// Loads `<name>.json` from the module's resources.
    init(resource name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "discovery") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "discovery/\(name).json"])
        }
        try self.init(name: name, data: Data(contentsOf: url))
    }

    init(name: String, data: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        self.name = name
        var methods: [Method] = []
        func collect(_ resource: [String: Any]) {
            for case let (_, method as [String: Any]) in resource["methods"] as? [String: Any] ?? [:] {
                guard let id = method["id"] as? String, let verb = method["httpMethod"] as? String,
                    let path = (method["flatPath"] ?? method["path"]) as? String
                else { continue }
                methods.append(Method(
                    id: id, httpMethod: verb, segments: Self.segments(path),
                    parameters: Self.parameters(method["parameters"]),
                    request: (method["request"] as? [String: Any])?["$ref"] as? String,
                    response: (method["response"] as? [String: Any])?["$ref"] as? String))
            }
            for case let (_, child as [String: Any]) in resource["resources"] as? [String: Any] ?? [:] {
                collect(child)
            }
        }
        collect(root)
        self.methods = methods
        self.standardParameters = Self.parameters(root["parameters"])
        var schemas: [String: Schema] = [:]
        for case let (name, schema as [String: Any]) in root["schemas"] as? [String: Any] ?? [:] {
            schemas[name] = Self.schema(schema)
        }
        self.schemas = schemas
    }

    private static func segments(_ path: String) -> [Segment] {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            guard segment.hasPrefix("{"), let close = segment.firstIndex(of: "}") else { return .literal(String(segment)) }
            let suffix = segment[segment.index(after: close)...]
            return .variable(verb: suffix.hasPrefix(":") ? String(suffix.dropFirst()) : nil)
        }
    }

    private static func parameters(_ value: Any?) -> [String: Parameter] {
        var result: [String: Parameter] = [:]
        for case let (name, parameter as [String: Any]) in value as? [String: Any] ?? [:] {
            result[name] = Parameter(
                type: parameter["type"] as? String ?? "string", location: parameter["location"] as? String ?? "query",
                repeated: parameter["repeated"] as? Bool ?? false, format: parameter["format"] as? String)
        }
        return result
    }

    private static func schema(_ json: [String: Any]) -> Schema {
        if let reference = json["$ref"] as? String { return .reference(reference) }
        switch json["type"] as? String {
        case "object":
            var properties: [String: Schema] = [:]
            for case let (name, property as [String: Any]) in json["properties"] as? [String: Any] ?? [:] {
                properties[name] = schema(property)
            }
            let additional = (json["additionalProperties"] as? [String: Any]).map(schema)
            if properties.isEmpty, additional == nil, json["properties"] == nil, json["id"] == nil {
                return .any  // a free-form object such as Operation.metadata
            }
            return .object(properties: properties, additional: additional)
        case "array":
            return .array((json["items"] as? [String: Any]).map(schema) ?? .any)
        case "string":
            return .string(format: json["format"] as? String, values: json["enum"] as? [String])
        case "integer": return .integer
        case "number": return .number
        case "boolean": return .boolean
        default: return .any
        }
    }

    /// The method whose verb and path template match, or why none does.
    func match(method verb: String, segments: [String]) -> (method: Method?, pathMatched: Bool) {
        var pathMatched = false
        for method in self.methods where Self.matches(method.segments, segments) {
            pathMatched = true
            if method.httpMethod == verb { return (method, true) }
        }
        return (nil, pathMatched)
    }

    private static func matches(_ template: [Segment], _ segments: [String]) -> Bool {
        guard template.count == segments.count else { return false }
        for (expected, actual) in zip(template, segments) {
            switch expected {
            case .literal(let literal): if literal != actual { return false }
            case .variable(let verb?):
                guard actual.hasSuffix(":" + verb), actual.count > verb.count + 1,
                    !actual.dropLast(verb.count + 1).contains(":")
                else { return false }
            case .variable(nil):
                if actual.isEmpty || actual.contains(":") { return false }
            }
        }
        return true
    }

    // MARK: Validation

    /// Problems with the query parameters of a request to `method`.
    func validate(query: [(String, String)], for method: Method) -> [String] {
        var problems: [String] = []
        for (name, value) in query {
            guard let parameter = method.parameters[name] ?? self.standardParameters[name], parameter.location == "query"
            else {
                problems.append("\(method.id): query parameter \"\(name)\" is not declared")
                continue
            }
            switch parameter.type {
            case "boolean" where value != "true" && value != "false":
                problems.append("\(method.id): query parameter \(name)=\(value) is not a boolean")
            case "integer" where Int(value) == nil:
                problems.append("\(method.id): query parameter \(name)=\(value) is not an integer")
            default: break
            }
            if parameter.format == "google-fieldmask", let request = method.request {
                for path in value.split(separator: ",") where !self.hasField(path.split(separator: ".").map(String.init), in: .reference(request)) {
                    problems.append("\(method.id): \(name) names \"\(path)\", which is no field of \(request)")
                }
            }
        }
        return problems
    }

    /// Problems with a request body sent to `method`.
    func validate(body: [UInt8], contentType: String?, for method: Method) -> [String] {
        guard let request = method.request else {
            let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty || text == "{}" ? [] : ["\(method.id): takes no request body, got \(body.count) bytes"]
        }
        guard !body.isEmpty else { return ["\(method.id): a \(request) body is required"] }
        var problems: [String] = []
        if contentType?.lowercased().hasPrefix("application/json") != true {
            problems.append("\(method.id): Content-Type \(contentType ?? "missing"), expected application/json")
        }
        guard let json = FakeJSON(parsing: body) else { return problems + ["\(method.id): the body is not JSON"] }
        self.check(json, against: .reference(request), at: request, method: method.id, into: &problems)
        return problems
    }

    private func resolve(_ schema: Schema) -> Schema {
        if case .reference(let name) = schema { return self.schemas[name].map(self.resolve) ?? .any }
        return schema
    }

    private func hasField(_ path: [String], in schema: Schema) -> Bool {
        guard let first = path.first else { return true }
        switch self.resolve(schema) {
        case .object(let properties, let additional):
            if let property = properties[first] { return self.hasField(Array(path.dropFirst()), in: property) }
            return additional != nil
        case .any: return true
        default: return false
        }
    }

    private func check(_ value: FakeJSON, against schema: Schema, at path: String, method: String, into problems: inout [String]) {
        let schema = self.resolve(schema)
        func wrong(_ expected: String) { problems.append("\(method): \(path) should be \(expected), got \(value.bytes.count > 80 ? "a value" : String(decoding: value.bytes, as: UTF8.self))") }
        if case .null = value { return }
        switch (schema, value) {
        case (.any, _): return
        case (.object(let properties, let additional), .object(let fields)):
            for (name, field) in fields {
                if let property = properties[name] {
                    self.check(field, against: property, at: "\(path).\(name)", method: method, into: &problems)
                } else if let additional {
                    self.check(field, against: additional, at: "\(path).\(name)", method: method, into: &problems)
                } else {
                    problems.append("\(method): \(path) has no field \"\(name)\"")
                }
            }
        case (.array(let items), .array(let elements)):
            for (index, element) in elements.enumerated() {
                self.check(element, against: items, at: "\(path)[\(index)]", method: method, into: &problems)
            }
        case (.string(let format, let values), .string(let text)):
            if let values, !values.contains(text) { wrong("one of \(values.joined(separator: ", "))") }
            if format == "int64" || format == "uint64", Int64(text) == nil, UInt64(text) == nil { wrong("an int64 as a string") }
        case (.integer, .number(let number)) where number == number.rounded(): return
        case (.number, .number): return
        case (.boolean, .bool): return
        case (.object, _): wrong("an object")
        case (.array, _): wrong("an array")
        case (.string, _): wrong("a string")
        case (.integer, _): wrong("an integer")
        case (.number, _): wrong("a number")
        case (.boolean, _): wrong("a boolean")
        case (.reference, _): return
        }
    }
}
