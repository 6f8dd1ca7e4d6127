// Copies of boards/simulator/board.yaml and boards/simulator/site.yaml.
// ConfigurationEmbeddedSiteTests fails if a literal and its file ever differ: edit the
// file, then paste it here whole (raw literals; the blank line before each closing
// delimiter keeps the file's final newline).

/// The simulator board and site, compiled in so `edge-agent run` works with no flags.
public enum EmbeddedSimulatorSite {
    public static let boardName = "simulator"

    /// boards/simulator/board.yaml, byte for byte.
    public static let boardYAML = #"""
# Board descriptor: the simulator.
# Nothing here touches hardware: the GPIO lines live on a simulated chip inside the
# daemon (drive them through the local API), and the Modbus bus is the project's own
# Modbus TCP simulator, which the daemon starts on 127.0.0.1:1502 when this board is used.
# This file is compiled into edge-agent (EmbeddedSimulatorSite.swift); a test keeps the two identical.
name: simulator
description: Simulated locker board with 12 compartments' worth of lines and a simulated Modbus bus
simulated: true
lines:
  LOCK1: {chip: sim0, offset: 0, direction: output}
  DOOR1: {chip: sim0, offset: 1, direction: input}
  RELAY1: {chip: sim0, offset: 2, direction: output}
  LOCKED1: {chip: sim0, offset: 3, direction: input}
  LED1: {chip: sim0, offset: 4, direction: output}
  LOCK2: {chip: sim0, offset: 5, direction: output}
  DOOR2: {chip: sim0, offset: 6, direction: input}
  RELAY2: {chip: sim0, offset: 7, direction: output}
  LOCKED2: {chip: sim0, offset: 8, direction: input}
  LED2: {chip: sim0, offset: 9, direction: output}
  LOCK3: {chip: sim0, offset: 10, direction: output}
  DOOR3: {chip: sim0, offset: 11, direction: input}
  RELAY3: {chip: sim0, offset: 12, direction: output}
  LOCKED3: {chip: sim0, offset: 13, direction: input}
  LED3: {chip: sim0, offset: 14, direction: output}
  LOCK4: {chip: sim0, offset: 15, direction: output}
  DOOR4: {chip: sim0, offset: 16, direction: input}
  RELAY4: {chip: sim0, offset: 17, direction: output}
  LOCKED4: {chip: sim0, offset: 18, direction: input}
  LED4: {chip: sim0, offset: 19, direction: output}
  LOCK5: {chip: sim0, offset: 20, direction: output}
  DOOR5: {chip: sim0, offset: 21, direction: input}
  RELAY5: {chip: sim0, offset: 22, direction: output}
  LOCKED5: {chip: sim0, offset: 23, direction: input}
  LED5: {chip: sim0, offset: 24, direction: output}
  LOCK6: {chip: sim0, offset: 25, direction: output}
  DOOR6: {chip: sim0, offset: 26, direction: input}
  RELAY6: {chip: sim0, offset: 27, direction: output}
  LOCKED6: {chip: sim0, offset: 28, direction: input}
  LED6: {chip: sim0, offset: 29, direction: output}
  LOCK7: {chip: sim0, offset: 30, direction: output}
  DOOR7: {chip: sim0, offset: 31, direction: input}
  RELAY7: {chip: sim0, offset: 32, direction: output}
  LOCKED7: {chip: sim0, offset: 33, direction: input}
  LED7: {chip: sim0, offset: 34, direction: output}
  LOCK8: {chip: sim0, offset: 35, direction: output}
  DOOR8: {chip: sim0, offset: 36, direction: input}
  RELAY8: {chip: sim0, offset: 37, direction: output}
  LOCKED8: {chip: sim0, offset: 38, direction: input}
  LED8: {chip: sim0, offset: 39, direction: output}
  LOCK9: {chip: sim0, offset: 40, direction: output}
  DOOR9: {chip: sim0, offset: 41, direction: input}
  RELAY9: {chip: sim0, offset: 42, direction: output}
  LOCKED9: {chip: sim0, offset: 43, direction: input}
  LED9: {chip: sim0, offset: 44, direction: output}
  LOCK10: {chip: sim0, offset: 45, direction: output}
  DOOR10: {chip: sim0, offset: 46, direction: input}
  RELAY10: {chip: sim0, offset: 47, direction: output}
  LOCKED10: {chip: sim0, offset: 48, direction: input}
  LED10: {chip: sim0, offset: 49, direction: output}
  LOCK11: {chip: sim0, offset: 50, direction: output}
  DOOR11: {chip: sim0, offset: 51, direction: input}
  RELAY11: {chip: sim0, offset: 52, direction: output}
  LOCKED11: {chip: sim0, offset: 53, direction: input}
  LED11: {chip: sim0, offset: 54, direction: output}
  LOCK12: {chip: sim0, offset: 55, direction: output}
  DOOR12: {chip: sim0, offset: 56, direction: input}
  RELAY12: {chip: sim0, offset: 57, direction: output}
  LOCKED12: {chip: sim0, offset: 58, direction: input}
  LED12: {chip: sim0, offset: 59, direction: output}
  WIEGAND-D0: {chip: sim0, offset: 60, direction: input}
  WIEGAND-D1: {chip: sim0, offset: 61, direction: input}
  EMERGENCY: {chip: sim0, offset: 62, direction: input, description: fire-alarm contact}
serialPorts: {}
buses:
  - name: sim-modbus
    tcp: {host: 127.0.0.1, port: 1502}

"""#

    /// boards/simulator/site.yaml, byte for byte.
    public static let siteYAML = #"""
# Site: the simulated locker. `edge-agent run` with no --config runs exactly this file
# (it is compiled in; a test keeps the two identical). Everything is simulated: GPIO on
# the simulator board, meters and chargers on the built-in Modbus TCP simulator.
# Copy it as a starting point for a real site; see docs/configuration.md for every key.
station:
  identity: SIM-LOCKER-01
  vendor: EdgeAgent
  model: Simulated Locker
  serialNumber: SIM-0001

# Point this at a local OCPP central system, or override with --central-url.
# Unreachable is fine: the agent works offline and catches up later.
centralSystem:
  url: ws://127.0.0.1:9000/ocpp
  securityProfile: 0

board: simulator

# The simulator board already has the bus `sim-modbus` (Modbus TCP, 127.0.0.1:1502).
buses: []

compartments:
  - name: A1
    connectorId: 1
    lockLine: LOCK1
    doorSensorLine: DOOR1
    relayLine: RELAY1
    lockFeedbackLine: LOCKED1
    indicatorLine: LED1
    meter: {bus: sim-modbus, unit: 11, profile: eastron-sdm120}
    maxPowerWatts: 500
  - name: A2
    connectorId: 2
    lockLine: LOCK2
    doorSensorLine: DOOR2
    relayLine: RELAY2
    lockFeedbackLine: LOCKED2
    indicatorLine: LED2
    meter: {bus: sim-modbus, unit: 12, profile: eastron-sdm120}
    maxPowerWatts: 500
  - name: A3
    connectorId: 3
    lockLine: LOCK3
    doorSensorLine: DOOR3
    relayLine: RELAY3
    lockFeedbackLine: LOCKED3
    indicatorLine: LED3
    meter: {bus: sim-modbus, unit: 13, profile: eastron-sdm120}
    maxPowerWatts: 500
  - name: A4
    connectorId: 4
    lockLine: LOCK4
    doorSensorLine: DOOR4
    relayLine: RELAY4
    lockFeedbackLine: LOCKED4
    indicatorLine: LED4
    meter: {bus: sim-modbus, unit: 14, profile: eastron-sdm120}
    maxPowerWatts: 500
  - name: A5
    connectorId: 5
    lockLine: LOCK5
    doorSensorLine: DOOR5
    relayLine: RELAY5
    lockFeedbackLine: LOCKED5
    indicatorLine: LED5
    meter: {bus: sim-modbus, unit: 15, profile: eastron-sdm120}
    maxPowerWatts: 500
  - name: A6
    connectorId: 6
    lockLine: LOCK6
    doorSensorLine: DOOR6
    relayLine: RELAY6
    lockFeedbackLine: LOCKED6
    indicatorLine: LED6
    meter: {bus: sim-modbus, unit: 16, profile: eastron-sdm120}
    maxPowerWatts: 500
  - name: B1
    connectorId: 7
    lockLine: LOCK7
    doorSensorLine: DOOR7
    relayLine: RELAY7
    lockFeedbackLine: LOCKED7
    indicatorLine: LED7
    meter: {bus: sim-modbus, unit: 17, profile: eastron-sdm120}
    maxPowerWatts: 1000
  - name: B2
    connectorId: 8
    lockLine: LOCK8
    doorSensorLine: DOOR8
    relayLine: RELAY8
    lockFeedbackLine: LOCKED8
    indicatorLine: LED8
    meter: {bus: sim-modbus, unit: 18, profile: eastron-sdm120}
    maxPowerWatts: 1000
  - name: B3
    connectorId: 9
    lockLine: LOCK9
    doorSensorLine: DOOR9
    relayLine: RELAY9
    lockFeedbackLine: LOCKED9
    indicatorLine: LED9
    meter: {bus: sim-modbus, unit: 19, profile: eastron-sdm120}
    maxPowerWatts: 1000
  - name: B4
    connectorId: 10
    lockLine: LOCK10
    doorSensorLine: DOOR10
    relayLine: RELAY10
    lockFeedbackLine: LOCKED10
    indicatorLine: LED10
    meter: {bus: sim-modbus, unit: 20, profile: eastron-sdm120}
    maxPowerWatts: 1000
  - name: B5
    connectorId: 11
    lockLine: LOCK11
    doorSensorLine: DOOR11
    relayLine: RELAY11
    lockFeedbackLine: LOCKED11
    indicatorLine: LED11
    meter: {bus: sim-modbus, unit: 21, profile: eastron-sdm120}
    maxPowerWatts: 1000
  - name: B6
    connectorId: 12
    lockLine: LOCK12
    doorSensorLine: DOOR12
    relayLine: RELAY12
    lockFeedbackLine: LOCKED12
    indicatorLine: LED12
    meter: {bus: sim-modbus, unit: 22, profile: eastron-sdm120}
    maxPowerWatts: 1000

chargers:
  - connectorId: 13
    name: wallbox-left
    control: {bus: sim-modbus, unit: 1, profile: phoenix-ev-charge-control}
    minCurrentAmps: 6
    maxCurrentAmps: 16
    phases: 3
    reader: wallbox-left-reader
  - connectorId: 14
    name: wallbox-right
    control: {bus: sim-modbus, unit: 2, profile: phoenix-ev-charge-control}
    minCurrentAmps: 6
    maxCurrentAmps: 32
    phases: 3
    reader: wallbox-right-reader

siteMeters:
  grid: {bus: sim-modbus, unit: 100, profile: eastron-sdm630}
  pv: {bus: sim-modbus, unit: 101, profile: sunspec-inverter}

balancing:
  mode: dynamic
  gridLimitAmpsPerPhase: 32
  safeLimitAmpsPerPhase: 10
  strategy: equal-share
  controlIntervalSeconds: 5
  meterStaleAfterSeconds: 15

# SMS: the simulated GSM modem runs inside the daemon on a pseudo-terminal, and the daemon's real modem code
# drives it with AT commands (text it with POST /v1/simulation/sms/inbound, read the answers with
# GET /v1/simulation/sms/sent; docs/sms.md). Texts relayed by the central system work too.
sms:
  shortCode: "+4915100000000"
  transports:
    - kind: simulated-modem
    - kind: central-system

# A Wiegand reader at the front of the locker, on simulated lines.
rfidReaders:
  - name: front
    kind: wiegand
    data0Line: WIEGAND-D0
    data1Line: WIEGAND-D1
  # A reader at each wallbox: its cards start and end that charger's sessions (`reader:` above). Serial
  # readers have no device file in the simulation; present cards with POST /v1/simulation/readers/{name}/card.
  - name: wallbox-left-reader
    kind: serial
    device: /dev/ttyUSB-wallbox-left
  - name: wallbox-right-reader
    kind: serial
    device: /dev/ttyUSB-wallbox-right

# The building's fire-alarm contact: while it is active every compartment is unlocked and
# every relay is off (raise it with POST /v1/simulation/emergency, see docs/simulation.md).
emergencyInputLine: EMERGENCY

# Nothing answers at the simulated central system's address unless you start one, so the site is offline:
# accept any card then, so a whole session can be tried with make run. A real site leaves this to its
# operator (the default is off: an unknown card is refused while offline).
ocppDefaults:
  AllowOfflineTxForUnknownId: "true"

api:
  listen: 127.0.0.1:8080

storage:
  folder: ./.state

logging:
  level: info

# What sessions cost, for receipts, exports and SMS confirmations (the central system remains the billing
# authority). Cards of the group STAFF (parentIdTag) charge for free. See docs/configuration.md, `tariffs`.
tariffs:
  locker:
    currency: EUR
    startFee: 0.50
    perKWh: 0.30
    perPeriod: 1.00
    periodHours: 1
    freeForGroups: [STAFF]
    compartments: [A1, A2, A3, A4, A5, A6, B1, B2, B3, B4, B5, B6]
  wallbox:
    currency: EUR
    perKWh: 0.39
    chargers: [wallbox-left, wallbox-right]

"""#
}
