/// A strictly parsed JSON document kept as its bytes plus a flat list of nodes that point into them, so that
/// finding a member or reading a number allocates nothing; Swift values are made only for what a caller reads.
/// ``JSONValue/parse(_:)`` builds on it.
struct JSONDocument {
    enum Kind: UInt8 {
        case null, `false`, `true`, number, string, array, object
    }

    /// One value. Nodes are in document order: a container's members or elements follow it, an object's as
    /// key node, value node(s), key node, …
    struct Node {
        var kind: Kind
        /// For a string: it has a backslash escape, so its text is not its value.
        var hasEscapes = false
        /// For a string: it has bytes outside ASCII.
        var hasNonASCII = false
        /// The value's text: for a string between its quotes, for a container from bracket to bracket.
        var start: Int
        var end: Int
        /// The index of the first node after this value and everything inside it.
        var next: Int
    }

    let bytes: [UInt8]
    let nodes: [Node]
    /// No whitespace between tokens, as in canonical JSON.
    let isCompact: Bool

    /// Parses one document strictly; see ``JSONValue/parse(_:)``.
    init(parsing bytes: [UInt8]) throws(JSONParseError) {
        self.bytes = bytes
        (nodes, isCompact) = try bytes.withUnsafeBufferPointer { input throws(JSONParseError) in try JSONParser.parse(input) }
    }

    /// The top-level value.
    static let root = 0

    /// Whether a string node is plain ASCII text whose bytes are its value: then it equals another such string
    /// exactly when their bytes are equal, and no other string.
    static func isPlain(_ node: Node) -> Bool {
        !node.hasEscapes && !node.hasNonASCII
    }

    func kind(of node: Int) -> Kind {
        nodes[node].kind
    }

    /// The member `key` of `object`, nil when absent. Keys compare as Swift strings do (canonical equivalence).
    func member(_ key: String, of object: Int) -> Int? {
        key.withUTF8Bytes { wanted in
            let wantedIsASCII = wanted.allSatisfy { $0 < 0x80 }
            return bytes.withUnsafeBufferPointer { bytes in
                nodes.withUnsafeBufferPointer { nodes in
                    var index = object + 1
                    while index < nodes[object].next {
                        let node = nodes[index]
                        if !Self.isPlain(node) || !wantedIsASCII {
                            if JSONParser.string(node, in: bytes) == key { return index + 1 }
                        } else if UnsafeBufferPointer(rebasing: bytes[node.start..<node.end]).hasSameBytes(as: wanted) {
                            return index + 1
                        }
                        index = nodes[index + 1].next
                    }
                    return nil
                }
            }
        }
    }

    /// The key and value nodes of an object's members, in document order.
    func members(of object: Int) -> some Sequence<(key: Int, value: Int)> {
        let nodes = nodes
        let end = nodes[object].next
        return sequence(state: object + 1) { index -> (key: Int, value: Int)? in
            guard index < end else { return nil }
            defer { index = nodes[index + 1].next }
            return (index, index + 1)
        }
    }

    /// The value of a string node.
    func string(at node: Int) -> String {
        bytes.withUnsafeBufferPointer { JSONParser.string(nodes[node], in: $0) }
    }

    /// Whether a string node is `""`. (An escape never decodes to nothing.)
    func isEmptyString(_ node: Int) -> Bool {
        nodes[node].start == nodes[node].end
    }

    /// A string node's value, or any other node's text, as UTF-8, without making a `String` where the text is
    /// the value.
    func withUTF8<Result>(of node: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let node = nodes[node]
        guard node.hasEscapes else {
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[node.start..<node.end])) }
        }
        return bytes.withUnsafeBufferPointer { JSONParser.string(node, in: $0) }.withUTF8Bytes(body)
    }

    /// The text of a node as written, e.g. a number's exact lexeme.
    func text(of node: Int) -> String {
        let node = nodes[node]
        return String(decoding: bytes[node.start..<node.end], as: UTF8.self)
    }

    /// The node's text is already its canonical JSON (``CanonicalJSON``), so it can be copied as it stands: a string
    /// without escapes, a literal, a canonical integer, or a compact container of such values whose object keys
    /// are plain and in canonical order.
    func isCanonical(_ node: Int) -> Bool {
        switch nodes[node].kind {
        case .null, .false, .true:
            return true
        case .string:
            return !nodes[node].hasEscapes
        case .number:
            return withUTF8(of: node, CanonicalJSON.integer(canonical:)) != nil
        case .array:
            guard isCompact else { return false }
            var element = node + 1
            while element < nodes[node].next {
                guard isCanonical(element) else { return false }
                element = nodes[element].next
            }
            return true
        case .object:
            guard isCompact else { return false }
            var previousKey: Int?
            for (key, value) in members(of: node) {
                guard !nodes[key].hasEscapes, isCanonical(value) else { return false }
                if let previousKey, !keyPrecedes(previousKey, key) { return false }
                previousKey = key
            }
            return true
        }
    }

    /// JCS order of two plain keys.
    private func keyPrecedes(_ left: Int, _ right: Int) -> Bool {
        bytes.withUnsafeBufferPointer { bytes in
            CanonicalJSON.keyPrecedes(
                utf8: UnsafeBufferPointer(rebasing: bytes[nodes[left].start..<nodes[left].end]),
                UnsafeBufferPointer(rebasing: bytes[nodes[right].start..<nodes[right].end]))
        }
    }

    /// The node's text as written: a string with its quotes, a container from bracket to bracket.
    func withText<Result>(of node: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let node = nodes[node]
        let range = node.kind == .string ? node.start - 1..<node.end + 1 : node.start..<node.end
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// An object node's members as values.
    func object(at node: Int) -> [String: JSONValue] {
        var count = 0
        for _ in members(of: node) { count += 1 }
        var object: [String: JSONValue] = Dictionary(minimumCapacity: count)
        // The parser has rejected duplicate keys.
        for (key, value) in members(of: node) { object[string(at: key)] = self.value(at: value) }
        return object
    }

    /// A node as a ``JSONValue``, with everything inside it.
    func value(at node: Int) -> JSONValue {
        switch nodes[node].kind {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .number: return .number(text(of: node))
        case .string: return .string(string(at: node))
        case .array:
            var elements: [JSONValue] = []
            var index = node + 1
            while index < nodes[node].next {
                elements.append(value(at: index))
                index = nodes[index].next
            }
            return .array(elements)
        case .object:
            return .object(object(at: node))
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether both hold the same bytes. (`elementsEqual` takes several times as long on short keys.)
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        for index in 0..<count where self[index] != other[index] {
            return false
        }
        return true
    }
}
