import AutonomicsCore
import AutonomicsTestSupport
import Foundation
import Testing

@testable import AutonomicsWorker

@Suite("SKU spec file: config/sku.toml through TOMLKit into the core")
struct SKUSpecLoaderTests {
    static let example = exampleSpecPath

    @Test("the shipped example loads: three tiers, every adapter, two overrides, the full signal vocabulary")
    func example() throws {
        let spec = try SKUSpecLoader.load(file: Self.example)
        #expect(spec.source == Self.example)
        #expect(Set(spec.tiers.keys) == ["starter", "growth", "enterprise"])
        #expect(Set(spec.actions.values.map(\.adapter.name)) == Set(ActionAdapter.allNames))
        #expect(spec.bindings.overrides.keys.sorted() == ["globex", "initech"])
        for metric in ["cpu", "memory", "latency", "errors", "concurrency", "instances"] {
            #expect(spec.metrics.canonicalName(metric) != nil, "\(metric)")
        }
        #expect(spec.rules.first { $0.name == "memory-pressure" }?.above == "90.5")
        #expect(spec.specHash == (try SKUSpecLoader.load(file: Self.example)).specHash)
        #expect(
            try spec.bindings.target(.service, tenantID: "acme")
                == "projects/acme-analytics-tenants/locations/us-central1/services/tenant-acme")
    }

    @Test("errors name the file and the key")
    func errors() {
        let error = #expect(throws: SpecError.self) {
            try SKUSpecLoader.load(toml: "[metrics.cpu]\naliases = 3\n", source: "bad.toml")
        }
        #expect(error?.description == "bad.toml: metrics.cpu.aliases: expected an array, found 3")

        let syntax = #expect(throws: SpecError.self) { try SKUSpecLoader.load(toml: "[tiers\n", source: "broken.toml") }
        #expect(syntax?.source.hasPrefix("broken.toml, line 1") == true)
        #expect(syntax?.expected == "valid TOML")
    }
}
