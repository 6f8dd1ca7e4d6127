import Foundation
import GRDB

/// The reservation table (migration "R-reservations"): the central system's reservations survive restarts.
enum ReservationStoreSchema {
    static func create(_ db: Database) throws {
        try db.create(table: "reservation") { t in
            // The central system's reservationId.
            t.primaryKey("id", .integer)
            t.column("connectorId", .integer).notNull()
            t.column("idTag", .text).notNull()
            t.column("parentIdTag", .text)
            t.column("expiresAt", .datetime).notNull()
            t.column("reservedAt", .datetime).notNull()
        }
    }
}

extension SiteStore {
    /// Commits a reservation (a ReserveNow with a known reservationId replaces it) before it is answered.
    public func saveReservation(_ reservation: Reservation) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO reservation (id, connectorId, idTag, parentIdTag, expiresAt, reservedAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    reservation.id, reservation.connectorId, reservation.idTag, reservation.parentIdTag,
                    reservation.expiresAt, reservation.reservedAt,
                ])
        }
    }

    public func deleteReservation(id: Int) throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM reservation WHERE id = ?", arguments: [id]) }
    }

    /// Every stored reservation, oldest first (expired ones too: the controller releases them).
    public func reservations() throws(StoreError) -> [Reservation] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reservation ORDER BY reservedAt, id").map { row in
                Reservation(
                    id: row["id"], connectorId: row["connectorId"], idTag: row["idTag"], parentIdTag: row["parentIdTag"],
                    expiresAt: row["expiresAt"], reservedAt: row["reservedAt"])
            }
        }
    }
}
