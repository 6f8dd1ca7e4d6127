import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Operations: the firmware update sequence")
struct OperationsFirmwareTests {
    func reports(_ effects: [FirmwareUpdateEffect]) -> [FirmwareStatus] {
        effects.compactMap { if case .report(let status) = $0 { status } else { nil } }
    }

    @Test func aSuccessfulUpdateReportsEveryStageThenRestarts() {
        var update = FirmwareUpdateProgress(location: "https://example.com/fw.bin", retries: 3, retryInterval: 10)
        var effects = update.handle(.retrieveDateReached)
        #expect(effects == [.persist(.downloading), .report(.downloading), .download(attempt: 1, after: 0)])
        effects = update.handle(.downloadSucceeded(file: "/state/firmware-staging/fw.bin"))
        #expect(reports(effects) == [.downloaded, .installing])
        #expect(effects.last == .install(file: "/state/firmware-staging/fw.bin"))
        // Each stage is stored before it is reported.
        #expect(effects.firstIndex(of: .persist(.installing))! < effects.firstIndex(of: .report(.installing))!)
        effects = update.handle(.installSucceeded)
        #expect(effects == [.persist(.installed), .restart])
        #expect(update.finished)
        #expect(FirmwareUpdateProgress.reportAfterRestart(.installed)?.0 == .installed)
    }

    @Test func downloadsAreRetriedAsOftenAsAskedThenFail() {
        var update = FirmwareUpdateProgress(location: "http://example.com/fw.bin", retries: 3, retryInterval: 7)
        _ = update.handle(.retrieveDateReached)
        var effects = update.handle(.downloadFailed(reason: "404"))
        #expect(effects.contains(.download(attempt: 2, after: 7)) && reports(effects).isEmpty)
        effects = update.handle(.downloadFailed(reason: "404"))
        #expect(effects.contains(.download(attempt: 3, after: 7)))
        effects = update.handle(.downloadFailed(reason: "404"))
        #expect(reports(effects) == [.downloadFailed] && effects.contains(.clear))
        #expect(update.finished && update.attemptsMade == 3)
        #expect(update.handle(.downloadFailed(reason: "late")).isEmpty)
    }

    @Test func withoutRetriesTheDownloadIsTriedOnce() {
        var update = FirmwareUpdateProgress(location: "http://example.com/fw.bin", retries: nil, retryInterval: nil)
        _ = update.handle(.retrieveDateReached)
        #expect(reports(update.handle(.downloadFailed(reason: "refused"))) == [.downloadFailed])
    }

    @Test func aFailedInstallIsReportedWithoutARestart() {
        var update = FirmwareUpdateProgress(location: "http://example.com/fw.bin", retries: 1, retryInterval: 1)
        _ = update.handle(.retrieveDateReached)
        _ = update.handle(.downloadSucceeded(file: "/f"))
        let effects = update.handle(.installFailed(reason: "exit 1"))
        #expect(reports(effects) == [.installationFailed] && !effects.contains(.restart))
    }

    @Test func ftpIsRefusedWithAClearReason() {
        var update = FirmwareUpdateProgress(location: "ftp://example.com/fw.bin", retries: 3, retryInterval: 1)
        let effects = update.handle(.retrieveDateReached)
        #expect(reports(effects) == [.downloadFailed])
        let logged = effects.compactMap { if case .log(let text) = $0 { text } else { nil } }.joined()
        #expect(logged.contains("only http:// and https://"))
        #expect(!effects.contains { if case .download = $0 { true } else { false } })
    }

    @Test func anInterruptedInstallIsReportedAsFailedAndAnInterruptedDownloadStartsOver() {
        #expect(FirmwareUpdateProgress.reportAfterRestart(.installing)?.0 == .installationFailed)
        #expect(FirmwareUpdateProgress.reportAfterRestart(.scheduled) == nil)
        #expect(FirmwareUpdateProgress.reportAfterRestart(.downloading) == nil)
        #expect(FirmwareUpdateProgress.reportAfterRestart(.downloaded) == nil)
    }
}
