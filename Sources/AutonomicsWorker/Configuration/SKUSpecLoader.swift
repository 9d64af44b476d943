import AutonomicsCore
import Foundation
import TOMLKit

/// Reads the SKU spec file (TOML, e.g. `config/sku.toml`) into the core's generic document and validates it as a
/// ``SKUSpec``: the core knows no file format.
public enum SKUSpecLoader {
    /// - Throws: ``SpecError`` naming the file, and the key and expectation of the first bad value.
    public static func load(file path: String) throws(SpecError) -> SKUSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SpecError(
                source: path, key: "", code: .invalidValue, expected: "a readable UTF-8 file", found: "\(error)")
        }
        return try load(toml: text, source: path)
    }

    /// ``load(file:)`` for text already read; `source` names it in errors.
    public static func load(toml text: String, source: String) throws(SpecError) -> SKUSpec {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch {
            let position = (error as? TOMLParseError).map {
                ", line \($0.source.begin.line), column \($0.source.begin.column)"
            }
            throw SpecError(
                source: source + (position ?? ""), key: "", code: .invalidValue, expected: "valid TOML",
                found: (error as? TOMLParseError)?.description ?? "\(error)")
        }
        return try SKUSpec(document: document(root), source: source)
    }

    /// The TOML value as JSON: integers and finite floats as number lexemes, dates and times as their TOML text.
    static func document(_ value: any TOMLValueConvertible) -> JSONValue {
        switch value.type {
        case .table:
            var members: [String: JSONValue] = [:]
            for (key, member) in value.table! { members[key] = document(member) }
            return .object(members)
        case .array:
            return .array(value.array!.map(document))
        case .string:
            return .string(value.string!)
        case .int:
            return .integer(Int64(value.int!))
        case .double:
            let number = value.double!
            return number.isFinite ? .number(String(number)) : .string(String(number))
        case .bool:
            return .bool(value.bool!)
        case .date, .time, .dateTime:
            return .string(value.debugDescription)
        }
    }
}
