/* The baseline for `edge-agent bench modbus`: a plain libmodbus loop doing the same poll cycle
 * (every unit, one read of REGISTERS input registers from 0, decoded as float32) against the same server.
 * Usage: modbus_loop HOST PORT METERS REGISTERS CYCLES; prints cycle_us=<mean microseconds per cycle>. */
#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int poll_cycle(modbus_t *ctx, int meters, int registers, uint16_t *words, double *sink) {
    for (int unit = 1; unit <= meters; unit++) {
        modbus_set_slave(ctx, unit);
        if (modbus_read_input_registers(ctx, 0, registers, words) != registers) {
            fprintf(stderr, "unit %d: %s\n", unit, modbus_strerror(errno));
            return -1;
        }
        for (int i = 0; i + 1 < registers; i += 2) *sink += modbus_get_float_abcd(&words[i]);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT METERS REGISTERS CYCLES\n", argv[0]);
        return 2;
    }
    int meters = atoi(argv[3]), registers = atoi(argv[4]), cycles = atoi(argv[5]);
    modbus_t *ctx = modbus_new_tcp(argv[1], atoi(argv[2]));
    if (ctx == NULL || modbus_connect(ctx) != 0) {
        fprintf(stderr, "cannot connect to %s:%s: %s\n", argv[1], argv[2], modbus_strerror(errno));
        return 1;
    }
    modbus_set_response_timeout(ctx, 1, 0);
    uint16_t words[125];
    double sink = 0;
    if (poll_cycle(ctx, meters, registers, words, &sink) != 0) return 1; /* warm-up */
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int cycle = 0; cycle < cycles; cycle++) {
        if (poll_cycle(ctx, meters, registers, words, &sink) != 0) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("cycle_us=%.1f checksum=%.0f\n", seconds / cycles * 1e6, sink);
    modbus_close(ctx);
    modbus_free(ctx);
    return 0;
}
