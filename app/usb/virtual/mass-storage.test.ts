import { describe, expect, it } from 'vitest';
import { asciiText, be32, le16, le32 } from '../descriptors/bytes.js';
import { BLOCK_SIZE, type BlockStore, MemoryBlockStore } from './block-store.js';
import { DEFAULT_DISK_README } from './default-disk.js';
import { MSC_BULK_IN, MSC_BULK_OUT, MassStorage } from './mass-storage.js';
import { BotHost, buildCbw } from './testing/bot-host.js';
import { TestHost } from './testing/test-host.js';

async function msc(opts: ConstructorParameters<typeof MassStorage>[0] = {}): Promise<{ dev: MassStorage; host: TestHost; bot: BotHost }> {
  const dev = new MassStorage(opts);
  const host = new TestHost(dev);
  await host.enumerate();
  return { dev, host, bot: new BotHost(host) };
}

const read10 = (lba: number, n: number): number[] => [0x28, 0, lba >>> 24, (lba >> 16) & 0xff, (lba >> 8) & 0xff, lba & 0xff, 0, n >> 8, n & 0xff, 0];
const write10 = (lba: number, n: number): number[] => [0x2a, ...read10(lba, n).slice(1)];
const verify10 = (lba: number, n: number, bytchk: number): number[] => [0x2f, bytchk << 1, ...read10(lba, n).slice(2)];
const TUR = [0, 0, 0, 0, 0, 0];
const INQUIRY = [0x12, 0, 0, 0, 36, 0];
const REQUEST_SENSE = [0x03, 0, 0, 0, 18, 0];

async function sense(bot: BotHost): Promise<[number, number, number]> {
  const r = await bot.command(REQUEST_SENSE, { in: 18 });
  expect(r.csw?.status).toBe(0);
  return [r.data[2]! & 0x0f, r.data[12]!, r.data[13]!];
}

describe('virtual mass storage: enumeration and class requests', () => {
  it('enumerates as a SCSI Bulk-Only device with one LUN', async () => {
    const dev = new MassStorage();
    const host = new TestHost(dev);
    const e = await host.enumerate();
    expect(dev.identity).toMatchObject({ spec: 'virtual:msc', vendorId: 0x1209, productId: 0x0003 });
    expect(e.product).toBe('Hindsight Virtual Disk');
    expect(e.serial).toMatch(/^[0-9A-F]{12}$/); // BOT 4.1.1
    expect(e.config.interfaces[0]).toMatchObject({ bInterfaceClass: 8, bInterfaceSubClass: 6, bInterfaceProtocol: 0x50 });
    expect(e.config.interfaces[0]!.endpoints.map((x) => [x.bEndpointAddress, x.bmAttributes])).toEqual([[MSC_BULK_IN, 2], [MSC_BULK_OUT, 2]]);
    const lun = await host.control({ bmRequestType: 0xa1, bRequest: 0xfe, wValue: 0, wIndex: 0, wLength: 1 });
    expect([lun.status, Array.from(lun.data)]).toEqual(['ok', [0]]);
    expect((await host.control({ bmRequestType: 0xa1, bRequest: 0xfe, wValue: 0, wIndex: 1, wLength: 1 })).status).toBe('stall');
    expect((await host.control({ bmRequestType: 0x21, bRequest: 0xff, wValue: 1, wIndex: 0, wLength: 0 })).status).toBe('stall');
  });
});

describe('virtual mass storage: SCSI over BOT', () => {
  it('runs INQUIRY, TEST UNIT READY, READ CAPACITY and reads the default disk', async () => {
    const { bot } = await msc();
    const inq = await bot.command(INQUIRY, { in: 36 });
    expect(inq.csw).toEqual({ signature: 0x53425355, tag: 1, residue: 0, status: 0 });
    expect(Array.from(inq.data.subarray(0, 5))).toEqual([0, 0x80, 0x06, 0x02, 31]);
    expect(asciiText(inq.data.subarray(8, 36))).toBe('HINDSGHTVirtual Disk    1.00');
    expect((await bot.command(TUR)).csw?.status).toBe(0);
    const cap = await bot.command([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], { in: 8 });
    expect([be32(cap.data, 0), be32(cap.data, 4)]).toEqual([2047, 512]);
    const block0 = await bot.command(read10(0, 1), { in: 512 });
    expect(block0.csw?.status).toBe(0);
    expect(asciiText(block0.data)).toContain('Hindsight virtual USB disk. This is block 0');
    expect([block0.data[510], block0.data[511]]).toEqual([0x55, 0xaa]);
    // It is a real FAT12 volume: follow the BPB to the root directory and README.TXT.
    const b = block0.data;
    const rootSector = le16(b, 14) + b[16]! * le16(b, 22);
    const root = (await bot.command(read10(rootSector, 1), { in: 512 })).data;
    expect(asciiText(root.subarray(32, 43))).toBe('README  TXT');
    const dataSector = rootSector + (le16(b, 17) * 32) / 512;
    const file = (await bot.command(read10(dataSector + le16(root, 32 + 26) - 2, 1), { in: 512 })).data;
    expect(String.fromCharCode(...file.subarray(0, le32(root, 32 + 28)))).toBe(DEFAULT_DISK_README);
  });

  it('round-trips WRITE(10) and READ(10), also when the host splits the data stage', async () => {
    const { bot, host } = await msc();
    const data = Uint8Array.from({ length: 3 * BLOCK_SIZE }, (_, i) => (i * 7) & 0xff);
    const w = await bot.command(write10(100, 3), { out: data });
    expect(w.csw).toMatchObject({ status: 0, residue: 0 });
    expect((await bot.command(read10(100, 3), { in: 3 * BLOCK_SIZE })).data).toEqual(data);
    // Data stage as three transfers of 600, 600 and 336 bytes (a host with a small buffer).
    await host.bulkOut(MSC_BULK_OUT, buildCbw(77, 1536, true, read10(100, 3)));
    const parts = [await host.bulkIn(MSC_BULK_IN, 600), await host.bulkIn(MSC_BULK_IN, 600), await host.bulkIn(MSC_BULK_IN, 336)];
    expect(Buffer.concat(parts.map((p) => p.data))).toEqual(Buffer.from(data));
    expect(await bot.readCsw()).toMatchObject({ tag: 77, status: 0, residue: 0 });
    // The write data may arrive in pieces too.
    await host.bulkOut(MSC_BULK_OUT, buildCbw(78, 1024, false, write10(5, 2)));
    await host.bulkOut(MSC_BULK_OUT, new Uint8Array(1000).fill(1));
    await host.bulkOut(MSC_BULK_OUT, new Uint8Array(24).fill(2));
    expect(await bot.readCsw()).toMatchObject({ tag: 78, status: 0 });
    const back = (await bot.command(read10(5, 2), { in: 1024 })).data;
    expect([back[999], back[1000], back[1023]]).toEqual([1, 2, 2]);
  });

  it('reports real sense data after an invalid command, then clears it', async () => {
    const { bot } = await msc();
    const bad = await bot.command([0x04, 0, 0, 0, 0, 0]); // FORMAT UNIT: not supported
    expect(bad.csw).toMatchObject({ status: 1, residue: 0 });
    expect(await sense(bot)).toEqual([0x5, 0x20, 0x00]); // ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE
    expect(await sense(bot)).toEqual([0, 0, 0]);
    const full = await bot.command([0x03, 0, 0, 0, 252, 0], { in: 252 });
    expect(full.data.length).toBe(18); // fixed format, cut to what exists (a short data stage…)
    expect(full.log).toEqual(['CBW ok', 'data ok 18', 'CSW stall 0', 'clear halt', 'CSW ok 13']); // …ended with a STALL
    expect(full.csw).toMatchObject({ status: 0, residue: 252 - 18 });
    expect((await bot.command([0x03, 1, 0, 0, 18, 0], { in: 18 })).csw?.status).toBe(1); // DESC: descriptor format not supported
    expect(await sense(bot)).toEqual([0x5, 0x24, 0x00]);
  });

  it('fails out-of-range LBAs with LOGICAL BLOCK ADDRESS OUT OF RANGE', async () => {
    const { bot, dev } = await msc();
    const r = await bot.command(read10(2047, 2), { in: 1024 });
    expect(r.log).toEqual(['CBW ok', 'data stall 0', 'clear halt', 'CSW ok 13']); // case 4: Hi > Dn
    expect(r.csw).toMatchObject({ status: 1, residue: 1024 });
    expect(await sense(bot)).toEqual([0x5, 0x21, 0x00]);
    const w = await bot.command(write10(4000, 1), { out: new Uint8Array(512).fill(9) });
    expect(w.log).toEqual(['CBW ok', 'data ok 512', 'CSW ok 13']); // case 9: accepted and discarded
    expect(w.csw).toMatchObject({ status: 1, residue: 512 });
    expect(dev.disk.sense).toMatchObject({ key: 5, asc: 0x21 });
    expect((await bot.command(read10(2047, 1), { in: 512 })).csw?.status).toBe(0); // the last block is fine
    expect((await bot.command(read10(0, 0))).csw?.status).toBe(0); // transfer length 0: nothing, no error
  });

  it('stalls both bulk endpoints after an invalid CBW until Reset Recovery', async () => {
    const { bot, host, dev } = await msc();
    const bad = buildCbw(1, 0, false, TUR);
    bad[3] = 0x00; // signature "USBC" becomes "USB\0"
    expect((await host.bulkOut(MSC_BULK_OUT, bad)).status).toBe('stall');
    expect(dev.transportPhase).toBe('needs-reset');
    expect((await host.bulkIn(MSC_BULK_IN, 13)).status).toBe('stall');
    await host.clearHalt(MSC_BULK_IN); // not enough (BOT 6.6.1)
    expect(Array.from((await host.getStatus(2, MSC_BULK_IN)).data)).toEqual([1, 0]);
    expect((await host.bulkOut(MSC_BULK_OUT, buildCbw(2, 0, false, TUR))).status).toBe('stall');
    expect((await bot.resetRecovery()).map((c) => c.status)).toEqual(['ok', 'ok', 'ok']);
    expect(dev.transportPhase).toBe('idle');
    expect((await bot.command(TUR)).csw?.status).toBe(0);
    // A 30-byte CBW and a CBW sent instead of reading the CSW are not valid either (6.2.1).
    expect((await host.bulkOut(MSC_BULK_OUT, buildCbw(3, 0, false, TUR).subarray(0, 30))).status).toBe('stall');
    await bot.resetRecovery();
    expect((await host.bulkOut(MSC_BULK_OUT, buildCbw(4, 0, false, TUR))).status).toBe('ok');
    expect((await host.bulkOut(MSC_BULK_OUT, buildCbw(5, 0, false, TUR))).status).toBe('stall');
    await bot.resetRecovery();
    // A CB length of 0 is not meaningful: treated the same way.
    expect((await host.bulkOut(MSC_BULK_OUT, buildCbw(6, 0, false, []))).status).toBe('stall');
    await bot.resetRecovery();
    expect((await bot.command(INQUIRY, { in: 36 })).csw?.status).toBe(0);
  });

  it('follows the thirteen host/device cases of BOT 6.7', async () => {
    const { bot, dev } = await msc();
    const run = async (cdb: number[], stage: Parameters<BotHost['command']>[1], length?: number) => {
      const r = await bot.command(cdb, stage, length === undefined ? {} : { length });
      if (r.csw?.status === 2) await bot.resetRecovery(); // what a host does after a phase error
      return [r.log.join(', '), r.csw?.status, r.csw?.residue];
    };
    expect(await run(TUR, null)).toEqual(['CBW ok, CSW ok 13', 0, 0]); // 1 Hn = Dn
    expect(await run(INQUIRY, null)).toEqual(['CBW ok, CSW ok 13', 2, 0]); // 2 Hn < Di
    expect(await run(write10(0, 1), null)).toEqual(['CBW ok, CSW ok 13', 2, 0]); // 3 Hn < Do
    expect(await run(TUR, { in: 16 })).toEqual(['CBW ok, data stall 0, clear halt, CSW ok 13', 0, 16]); // 4 Hi > Dn
    expect(await run(INQUIRY, { in: 64 })).toEqual(['CBW ok, data ok 36, CSW stall 0, clear halt, CSW ok 13', 0, 28]); // 5 Hi > Di
    expect(await run(INQUIRY, { in: 36 })).toEqual(['CBW ok, data ok 36, CSW ok 13', 0, 0]); // 6 Hi = Di
    expect(await run(read10(0, 2), { in: 512 })).toEqual(['CBW ok, data ok 512, CSW ok 13', 2, 0]); // 7 Hi < Di
    expect(await run(write10(0, 1), { in: 512 })).toEqual(['CBW ok, data stall 0, clear halt, CSW ok 13', 2, 512]); // 8 Hi <> Do
    expect(await run(TUR, { out: new Uint8Array(16) })).toEqual(['CBW ok, data ok 16, CSW ok 13', 0, 16]); // 9 Ho > Dn
    expect(await run(INQUIRY, { out: new Uint8Array(36) })).toEqual(['CBW ok, data stall 0, clear halt, CSW ok 13', 2, 36]); // 10 Ho <> Di
    const two = new Uint8Array(1024).fill(0xab);
    expect(await run(write10(50, 1), { out: two })).toEqual(['CBW ok, data ok 1024, CSW ok 13', 0, 512]); // 11 Ho > Do
    expect(Array.from(dev.disk.store.read(50, 2) as Uint8Array).filter((x) => x === 0xab).length).toBe(512); // only Do written
    expect(await run(write10(60, 1), { out: new Uint8Array(512) })).toEqual(['CBW ok, data ok 512, CSW ok 13', 0, 0]); // 12 Ho = Do
    expect(await run(write10(70, 3), { out: two })).toEqual(['CBW ok, data ok 1024, CSW ok 13', 2, 1024]); // 13 Ho < Do: nothing processed
    expect((dev.disk.store.read(70, 1) as Uint8Array)[0]).toBe(0); // nothing written
  });

  it('answers MODE SENSE(6)/(10), READ FORMAT CAPACITIES and the VPD pages', async () => {
    const { bot } = await msc();
    const m6 = await bot.command([0x1a, 0, 0x3f, 0, 192, 0], { in: 192 });
    expect(m6.csw).toMatchObject({ status: 0, residue: 192 - m6.data.length });
    expect([m6.data[0], m6.data[2], m6.data[3]]).toEqual([m6.data.length - 1, 0, 8]); // not write-protected, one block descriptor
    expect([be32(m6.data, 4), m6.data[10], m6.data[11]]).toEqual([2048, 0x02, 0x00]); // 2048 blocks of 512
    expect([m6.data[12], m6.data[13], m6.data[32], m6.data[33]]).toEqual([0x08, 0x12, 0x1c, 0x0a]); // caching, informational exceptions
    const m10 = await bot.command([0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 64, 0], { in: 64 }); // DBD, caching page
    expect([m10.data.length, m10.data[1], m10.data[7], m10.data[8]]).toEqual([28, 26, 0, 0x08]);
    expect((await bot.command([0x1a, 0, 0xff, 0, 192, 0], { in: 192 })).csw?.status).toBe(1); // saved values
    expect(await sense(bot)).toEqual([5, 0x39, 0]);
    expect((await bot.command([0x1a, 0, 0x05, 0, 192, 0], { in: 192 })).csw?.status).toBe(1); // page 5: none
    expect(await sense(bot)).toEqual([5, 0x24, 0]);
    const rfc = await bot.command([0x23, 0, 0, 0, 0, 0, 0, 0, 252, 0], { in: 252 });
    expect(Array.from(rfc.data)).toEqual([0, 0, 0, 8, 0, 0, 0x08, 0x00, 0x02, 0, 0x02, 0x00]);
    const vpd = await bot.command([0x12, 1, 0x80, 0, 64, 0], { in: 64 });
    expect(asciiText(vpd.data.subarray(4))).toBe('485344534B30'); // the USB serial number too
    expect((await bot.command([0x12, 1, 0x83, 0, 64, 0], { in: 64 })).csw?.status).toBe(1);
  });

  it('models medium removal: PREVENT blocks an eject, and an ejected medium is NOT READY', async () => {
    const { bot, dev } = await msc();
    expect((await bot.command([0x1e, 0, 0, 0, 1, 0])).csw?.status).toBe(0); // prevent
    expect((await bot.command([0x1b, 0, 0, 0, 0x02, 0])).csw?.status).toBe(1); // eject
    expect(await sense(bot)).toEqual([5, 0x53, 0x02]);
    await bot.command([0x1e, 0, 0, 0, 0, 0]); // allow
    expect((await bot.command([0x1b, 0, 0, 0, 0x02, 0])).csw?.status).toBe(0);
    expect(dev.disk.mediumPresent).toBe(false);
    expect((await bot.command(TUR)).csw?.status).toBe(1);
    expect(await sense(bot)).toEqual([2, 0x3a, 0]); // NOT READY, MEDIUM NOT PRESENT
    expect((await bot.command(read10(0, 1), { in: 512 })).csw?.status).toBe(1);
    await bot.command([0x1b, 0, 0, 0, 0x03, 0]); // load
    expect((await bot.command(TUR)).csw?.status).toBe(0);
    expect((await bot.command([0x1b, 0, 0, 0, 0x01, 0])).csw?.status).toBe(0); // plain start: no-op
  });

  it('verifies, synchronizes, write-protects and serves other LUNs no more', async () => {
    let flushes = 0;
    const store = new MemoryBlockStore(64);
    const { bot } = await msc({ store: Object.assign(store, { flush: () => { flushes++; } }) });
    await bot.command(write10(1, 1), { out: new Uint8Array(512).fill(5) });
    expect((await bot.command(verify10(1, 1, 0))).csw?.status).toBe(0);
    expect((await bot.command(verify10(1, 1, 1), { out: new Uint8Array(512).fill(5) })).csw?.status).toBe(0);
    expect((await bot.command(verify10(1, 1, 1), { out: new Uint8Array(512).fill(6) })).csw?.status).toBe(1);
    expect(await sense(bot)).toEqual([0xe, 0x1d, 0]); // MISCOMPARE
    expect((await bot.command(verify10(63, 2, 0))).csw?.status).toBe(1);
    expect((await bot.command([0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0])).csw?.status).toBe(0);
    expect(flushes).toBe(1);
    expect((await bot.command(TUR, null, { lun: 1 })).csw?.status).toBe(1);
    expect(await sense(bot)).toEqual([5, 0x25, 0]); // LOGICAL UNIT NOT SUPPORTED

    const ro = await msc({ store: new MemoryBlockStore(8, { readOnly: true }) });
    const w = await ro.bot.command(write10(0, 1), { out: new Uint8Array(512) });
    expect(w.csw).toMatchObject({ status: 1, residue: 512 });
    expect(await sense(ro.bot)).toEqual([7, 0x27, 0]); // DATA PROTECT, WRITE PROTECTED
    expect((await ro.bot.command([0x1a, 0, 0x3f, 0, 4, 0], { in: 4 })).data[2]).toBe(0x80); // WP
  });

  it('works with asynchronous stores and turns store failures into MEDIUM ERROR', async () => {
    const mem = new MemoryBlockStore(16);
    let failReads = false;
    const slow: BlockStore = {
      blockCount: 16,
      read: async (lba, n) => { await new Promise((r) => setTimeout(r, 1)); if (failReads) throw new Error('bad sector'); return mem.read(lba, n); },
      write: async (lba, d) => { await new Promise((r) => setTimeout(r, 1)); if (lba === 13) throw new Error('worn out'); mem.write(lba, d); },
    };
    const { bot } = await msc({ store: slow });
    const data = new Uint8Array(1024).fill(0x42);
    expect((await bot.command(write10(2, 2), { out: data })).csw?.status).toBe(0);
    expect((await bot.command(read10(2, 2), { in: 1024 })).data).toEqual(data);
    expect((await bot.command(write10(13, 1), { out: new Uint8Array(512) })).csw?.status).toBe(1);
    expect(await sense(bot)).toEqual([3, 0x0c, 0]); // MEDIUM ERROR, WRITE ERROR
    failReads = true;
    const r = await bot.command(read10(0, 1), { in: 512 });
    expect(r.log).toEqual(['CBW ok', 'data stall 0', 'clear halt', 'CSW ok 13']);
    expect(r.csw).toMatchObject({ status: 1, residue: 512 });
    failReads = false;
    expect(await sense(bot)).toEqual([3, 0x11, 0]); // MEDIUM ERROR, UNRECOVERED READ ERROR
  });

  it('parks a CSW read until the command is done, and cancelAll releases it', async () => {
    const { dev, host } = await msc();
    const early = host.bulkIn(MSC_BULK_IN, 13);
    await new Promise((r) => setTimeout(r, 2));
    expect(dev.pendingCount(MSC_BULK_IN)).toBe(1);
    await host.bulkOut(MSC_BULK_OUT, buildCbw(9, 0, false, TUR));
    expect(le32((await early).data, 4)).toBe(9);
    const idle = host.bulkIn(MSC_BULK_IN, 13);
    dev.cancelAll();
    expect((await idle).status).toBe('nodev');
  });
});
