import Foundation
import Hummingbird
import LockerIO

/// Driving the simulated locker (docs/simulation.md): doors, locks, cards, keypads, the emergency input, and
/// every line's level. Only on the simulator board; elsewhere every route answers 404.
extension LocalAPI {
    struct DoorBody: Decodable { var state: String }
    struct LockBody: Decodable {
        var jammed: Bool?
        var feedback: String?
    }
    struct CardBody: Decodable {
        var idTag: String?
        var uid: String?
        var format: String?
    }
    struct KeysBody: Decodable { var keys: String }
    struct EmergencyBody: Decodable { var active: Bool }

    struct LineList: ResponseEncodable { var lines: [SimulatedLineLevel] }
    struct DoorAnswer: ResponseEncodable {
        var compartment: String
        var door: String
    }
    struct LockAnswer: ResponseEncodable {
        var compartment: String
        var jammed: Bool?
        var feedback: String?
    }
    struct CardAnswer: ResponseEncodable {
        var reader: String
        var idTag: String
    }
    struct KeysAnswer: ResponseEncodable {
        var reader: String
        var keys: Int
    }
    struct EmergencyAnswer: ResponseEncodable { var active: Bool }

    static func addSimulationRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController) {
        let simulation = v1.group("simulation")
        simulation.get("lines") { _, _ -> LineList in
            let (_, board) = try simulated(site)
            return LineList(lines: await board.lineLevels())
        }
        simulation.post("compartments/:name/door") { request, context -> DoorAnswer in
            let (_, board) = try simulated(site)
            let name = try compartmentName(context, site: site)
            let body = try await decodeBody(DoorBody.self, from: request, example: #"{"state": "open"}"#)
            guard body.state == "open" || body.state == "closed" else {
                throw APIError(status: .badRequest, message: "door state '\(body.state)' is not 'open' or 'closed'")
            }
            try await simulationCall { () async throws(SimulationError) in
                try await board.setDoor(compartment: name, open: body.state == "open")
            }
            return DoorAnswer(compartment: name, door: body.state)
        }
        simulation.post("compartments/:name/lock") { request, context -> LockAnswer in
            let (_, board) = try simulated(site)
            let name = try compartmentName(context, site: site)
            let example = #"{"jammed": true} or {"feedback": "unlocked"}"#
            let body = try await decodeBody(LockBody.self, from: request, example: example)
            guard body.jammed != nil || body.feedback != nil else {
                throw APIError(status: .badRequest, message: "give `jammed` and/or `feedback`, e.g. \(example)")
            }
            if let feedback = body.feedback, feedback != "locked", feedback != "unlocked" {
                throw APIError(status: .badRequest, message: "feedback '\(feedback)' is not 'locked' or 'unlocked'")
            }
            try await simulationCall { () async throws(SimulationError) in
                if let jammed = body.jammed { try await board.setJammed(compartment: name, jammed: jammed) }
                if let feedback = body.feedback { try await board.setLockFeedback(compartment: name, locked: feedback == "locked") }
            }
            return LockAnswer(compartment: name, jammed: body.jammed, feedback: body.feedback)
        }
        simulation.post("readers/:name/card") { request, context -> CardAnswer in
            let (hardware, _) = try simulated(site)
            let reader = context.parameters.get("name") ?? ""
            let example = #"{"idTag": "04A2B3C4"} or {"uid": "1193046", "format": "decimal"}"#
            let body = try await decodeBody(CardBody.self, from: request, example: example)
            let card: SimulatedCard
            switch (body.idTag, body.uid) {
            case let (idTag?, nil): card = .idTag(idTag)
            case let (nil, uid?):
                guard let format = UIDTextFormat(rawValue: body.format ?? "hex") else {
                    throw APIError(status: .badRequest, message: "format '\(body.format ?? "")' is not 'hex' or 'decimal'")
                }
                card = .uid(uid, format: format)
            default:
                throw APIError(status: .badRequest, message: "give exactly one of `idTag` and `uid`, e.g. \(example)")
            }
            let tag = try await simulationCall { () async throws(SimulationError) -> IdTag in
                try await hardware.presentCard(reader: reader, card: card)
            }
            return CardAnswer(reader: reader, idTag: tag.value)
        }
        simulation.post("readers/:name/keys") { request, context -> KeysAnswer in
            let (hardware, _) = try simulated(site)
            let reader = context.parameters.get("name") ?? ""
            let body = try await decodeBody(KeysBody.self, from: request, example: #"{"keys": "1234#"}"#)
            try await simulationCall { () async throws(SimulationError) in
                try await hardware.typeKeys(reader: reader, keys: body.keys)
            }
            return KeysAnswer(reader: reader, keys: body.keys.count)
        }
        simulation.post("emergency") { request, _ -> EmergencyAnswer in
            let (_, board) = try simulated(site)
            let body = try await decodeBody(EmergencyBody.self, from: request, example: #"{"active": true}"#)
            try await simulationCall { () async throws(SimulationError) in
                try await board.setEmergency(active: body.active)
            }
            return EmergencyAnswer(active: body.active)
        }
    }

    /// The simulated locker, or 404 on a real board.
    static func simulated(_ site: SiteController) throws -> (SiteHardware, SimulatedLockerBoard) {
        guard let hardware = site.hardware, let board = hardware.simulation else {
            throw APIError(status: .notFound, message: "the simulation API is only on the simulated board; this site runs on real hardware")
        }
        return (hardware, board)
    }

    /// Runs a simulation call, turning its error into 404 (unknown compartment or reader) or 400.
    @discardableResult
    static func simulationCall<T>(_ body: () async throws(SimulationError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            switch error {
            case .unknownCompartment, .unknownReader, .notSimulated: throw APIError(status: .notFound, message: error.description)
            case .gpio: throw APIError(status: .internalServerError, message: error.description)
            default: throw APIError(status: .badRequest, message: error.description)
            }
        }
    }
}

