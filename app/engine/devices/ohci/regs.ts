// OHCI 1.0a register map and bit fields (Open Host Controller Interface Specification for USB,
// release 1.0a, chapter 7), plus the timing constants of this implementation.
//
// Operational registers (32-bit, little-endian; offsets from the controller's base):
//   0x00 HcRevision          7.1.1   RO 0x10 (release 1.0, no legacy support)
//   0x04 HcControl           7.1.2   CBSR 1:0, PLE 2, IE 3, CLE 4, BLE 5, HCFS 7:6, IR 8, RWC 9, RWE 10
//   0x08 HcCommandStatus     7.1.3   HCR 0, CLF 1, BLF 2, OCR 3 (write 1 to set), SOC 17:16 (RO)
//   0x0c HcInterruptStatus   7.1.4   SO 0, WDH 1, SF 2, RD 3, UE 4, FNO 5, RHSC 6, OC 30 (write 1 to clear)
//   0x10 HcInterruptEnable   7.1.5   the same bits + MIE 31 (write 1 to set)
//   0x14 HcInterruptDisable  7.1.6   write 1 to clear an enable bit; reads the enable register
//   0x18 HcHCCA              7.2.1   256-byte aligned
//   0x1c HcPeriodCurrentED   7.2.2   RO
//   0x20 HcControlHeadED     7.2.3   0x24 HcControlCurrentED 7.2.4
//   0x28 HcBulkHeadED        7.2.5   0x2c HcBulkCurrentED    7.2.6
//   0x30 HcDoneHead          7.2.7   RO
//   0x34 HcFmInterval        7.3.1   FI 13:0, FSMPS 30:16, FIT 31
//   0x38 HcFmRemaining       7.3.2   FR 13:0, FRT 31 (RO)
//   0x3c HcFmNumber          7.3.3   FN 15:0 (RO)
//   0x40 HcPeriodicStart     7.3.4   PS 13:0
//   0x44 HcLSThreshold       7.3.5   LST 11:0
//   0x48 HcRhDescriptorA     7.4.1   NDP 7:0, PSM 8, NPS 9, DT 10, OCPM 11, NOCP 12, POTPGT 31:24
//   0x4c HcRhDescriptorB     7.4.2   DR 15:0, PPCM 31:16
//   0x50 HcRhStatus          7.4.3   LPS/ClearGlobalPower 0, OCI 1, DRWE/SetRemoteWakeupEnable 15,
//                                    LPSC/SetGlobalPower 16, OCIC 17, CRWE/ClearRemoteWakeupEnable 31
//   0x54 HcRhPortStatus[1]   7.4.4   0x58 HcRhPortStatus[2]  (see root-hub.ts for the write semantics)
// Anything else in the 0x100 decoded window reads 0; writes are ignored.

export const REG = {
  Revision: 0x00, Control: 0x04, CommandStatus: 0x08, InterruptStatus: 0x0c, InterruptEnable: 0x10,
  InterruptDisable: 0x14, HCCA: 0x18, PeriodCurrentED: 0x1c, ControlHeadED: 0x20, ControlCurrentED: 0x24,
  BulkHeadED: 0x28, BulkCurrentED: 0x2c, DoneHead: 0x30, FmInterval: 0x34, FmRemaining: 0x38, FmNumber: 0x3c,
  PeriodicStart: 0x40, LSThreshold: 0x44, RhDescriptorA: 0x48, RhDescriptorB: 0x4c, RhStatus: 0x50, RhPortStatus: 0x54,
} as const;

/** The bytes of the register window the controller decodes (QEMU's OHCI decodes 256 too). */
export const OHCI_DECODED_SIZE = 0x100;
/** Downstream ports of the root hub (HcRhDescriptorA.NDP). */
export const NUM_PORTS = 2;
export const OHCI_REVISION = 0x10;

// HcControl (7.1.2)
export const CTL_CBSR = 0x3;
export const CTL_PLE = 1 << 2;
export const CTL_IE = 1 << 3;
export const CTL_CLE = 1 << 4;
export const CTL_BLE = 1 << 5;
export const CTL_HCFS = 3 << 6;
export const CTL_IR = 1 << 8;
export const CTL_RWC = 1 << 9;
export const CTL_RWE = 1 << 10;
export const CTL_MASK = 0x7ff;
/** HostControllerFunctionalState values (bits 7:6). */
export const HCFS_RESET = 0 << 6;
export const HCFS_RESUME = 1 << 6;
export const HCFS_OPERATIONAL = 2 << 6;
export const HCFS_SUSPEND = 3 << 6;
export const HCFS_NAMES = ['reset', 'resume', 'operational', 'suspend'] as const;
export type FunctionalState = (typeof HCFS_NAMES)[number];

// HcCommandStatus (7.1.3)
export const CS_HCR = 1 << 0;
export const CS_CLF = 1 << 1;
export const CS_BLF = 1 << 2;
export const CS_OCR = 1 << 3;
export const CS_SOC_SHIFT = 16;
export const CS_SOC = 3 << CS_SOC_SHIFT;

// HcInterruptStatus / Enable / Disable (7.1.4-7.1.6)
export const INT_SO = 1 << 0;
export const INT_WDH = 1 << 1;
export const INT_SF = 1 << 2;
export const INT_RD = 1 << 3;
export const INT_UE = 1 << 4;
export const INT_FNO = 1 << 5;
export const INT_RHSC = 1 << 6;
export const INT_OC = 1 << 30;
export const INT_MIE = 1 << 31;
/** The status bits that exist (MIE exists only in the enable register). */
export const INT_STATUS_MASK = (INT_SO | INT_WDH | INT_SF | INT_RD | INT_UE | INT_FNO | INT_RHSC | INT_OC) >>> 0;
export const INT_ENABLE_MASK = (INT_STATUS_MASK | INT_MIE) >>> 0;

// HcFmInterval (7.3.1)
export const FI_MASK = 0x3fff;
export const FSMPS_SHIFT = 16;
export const FSMPS_MASK = 0x7fff;
/** Reset FrameInterval: 11999 bit times = 1 ms at 12 Mbit/s. */
export const FI_DEFAULT = 0x2edf;
/** Reset FSLargestDataPacket: the spec leaves it TBD; QEMU and Linux use 0x2778. */
export const FSMPS_DEFAULT = 0x2778;
export const LST_DEFAULT = 0x628;

// HcRhDescriptorA/B (7.4.1, 7.4.2)
export const RHA_NDP = 0xff;
export const RHA_PSM = 1 << 8;
export const RHA_NPS = 1 << 9;
export const RHA_DT = 1 << 10;
export const RHA_OCPM = 1 << 11;
export const RHA_NOCP = 1 << 12;
export const RHA_POTPGT_SHIFT = 24;
/** Fields the HCD may write: PSM, NPS, OCPM, NOCP, POTPGT (NDP and DT are read-only). */
export const RHA_WRITABLE = (RHA_PSM | RHA_NPS | RHA_OCPM | RHA_NOCP | (0xff << RHA_POTPGT_SHIFT)) >>> 0;
/**
 * Reset value: 2 ports, per-port power switching (PSM), no over-current protection (NOCP), power-on
 * to power-good time 1 (2 ms). Linux's ohci-hcd then sets PPCM (because of NOCP) and powers each port.
 */
export const RHA_DEFAULT = (NUM_PORTS | RHA_PSM | RHA_NOCP | (1 << RHA_POTPGT_SHIFT)) >>> 0;
/** DeviceRemovable and PortPowerControlMask have one bit per port, 1..NDP (bit 0 reserved). */
export const RHB_PORT_BITS = ((1 << (NUM_PORTS + 1)) - 2) & 0xffff;
export const RHB_MASK = (RHB_PORT_BITS | (RHB_PORT_BITS << 16)) >>> 0;
export const RHB_DEFAULT = (RHB_PORT_BITS << 16) >>> 0;

// HcRhStatus (7.4.3)
export const RHS_LPS = 1 << 0;
export const RHS_OCI = 1 << 1;
export const RHS_DRWE = 1 << 15;
export const RHS_LPSC = 1 << 16;
export const RHS_OCIC = 1 << 17;
export const RHS_CRWE = 1 << 31;

// HcRhPortStatus (7.4.4): read meaning / write meaning
export const PORT_CCS = 1 << 0; //  CurrentConnectStatus / ClearPortEnable
export const PORT_PES = 1 << 1; //  PortEnableStatus / SetPortEnable
export const PORT_PSS = 1 << 2; //  PortSuspendStatus / SetPortSuspend
export const PORT_POCI = 1 << 3; // PortOverCurrentIndicator / ClearSuspendStatus
export const PORT_PRS = 1 << 4; //  PortResetStatus / SetPortReset
export const PORT_PPS = 1 << 8; //  PortPowerStatus / SetPortPower
export const PORT_LSDA = 1 << 9; // LowSpeedDeviceAttached / ClearPortPower
export const PORT_CSC = 1 << 16;
export const PORT_PESC = 1 << 17;
export const PORT_PSSC = 1 << 18;
export const PORT_OCIC = 1 << 19;
export const PORT_PRSC = 1 << 20;
/** The write-1-to-clear change bits. */
export const PORT_CHANGE_BITS = PORT_CSC | PORT_PESC | PORT_PSSC | PORT_OCIC | PORT_PRSC;

// Condition codes (4.3.3, table 4-7)
export const CC = {
  NoError: 0x0,
  CRC: 0x1,
  BitStuffing: 0x2,
  DataToggleMismatch: 0x3,
  Stall: 0x4,
  DeviceNotResponding: 0x5,
  PIDCheckFailure: 0x6,
  UnexpectedPID: 0x7,
  DataOverrun: 0x8,
  DataUnderrun: 0x9,
  BufferOverrun: 0xc,
  BufferUnderrun: 0xd,
  NotAccessed: 0xf,
} as const;
export type ConditionCode = (typeof CC)[keyof typeof CC];

/** Transmission errors count in the TD's ErrorCount (4.3.1.3.3); the HC retires after the third. */
export function isCountedError(cc: number): boolean {
  return cc === CC.CRC || cc === CC.BitStuffing || cc === CC.DataToggleMismatch || cc === CC.DeviceNotResponding
    || cc === CC.PIDCheckFailure || cc === CC.UnexpectedPID;
}

// ---- timing (guest ticks: 1 tick = 1 ns, one instruction) ------------------------------------------

/**
 * One USB frame: 1 ms. Fixed, as QEMU's OHCI does: a FrameInterval the HCD adjusts by a few bit
 * times changes HcFmRemaining's count-down start, not the frame length.
 */
export const FRAME_TICKS = 1_000_000;
/** Root port reset signalling lasts 10 ms (7.4.4 PRS; USB 2.0 TDRST for root ports is 10-20 ms). */
export const PORT_RESET_TICKS = 10_000_000;
/** Resume signalling on a suspended port lasts 20 ms before PSSC is set (7.4.4 POCI/ClearSuspendStatus). */
export const PORT_RESUME_TICKS = 20_000_000;
/** USB full-speed bit clock: 12 MHz. FR counts down in bit times (7.3.2). */
export const BIT_TIMES_PER_MS = 12_000;

// ---- bounds that keep a malformed list from hanging the host -----------------------------------------

/**
 * EDs visited in one frame, all lists together. A real schedule has a few dozen (Linux's periodic
 * tree visits at most 32 + one per endpoint); more means a cycle: UnrecoverableError.
 */
export const MAX_EDS_PER_FRAME = 1024;
/** TDs in one ED's queue (HeadP..TailP). Longer means a cycle or a lost TailP: UnrecoverableError. */
export const MAX_TDS_PER_ED = 1024;
/** TD visits in one frame, all EDs together (each queue is walked once when its head TD starts). */
export const MAX_TDS_PER_FRAME = 16384;
/**
 * After this many frames in a row that changed nothing but the frame counters, the controller is
 * "quiet": while the hart waits in WFI it skips frames until something can happen (see ohci.ts).
 * 32 = the period of the interrupt table, so every periodic branch has been walked.
 */
export const QUIET_FRAMES = 32;
