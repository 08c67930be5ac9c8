/**
 * `staff.customer_search_ms`: the p95 of the outlet's customer search (server/customers
 * searchCustomers, the statement the tablet's search runs) over BENCH_CUSTOMERS customers (default
 * 1,000,000 on PostgreSQL, when DATABASE_URL is set; 100,000 on PGlite otherwise), by part of a
 * Chinese name, by ID number and by card number, each reported too. Baseline in the same process:
 * the p95 of reading one customer by primary key, so the ratio says what a search costs over the
 * cheapest read the database can do.
 */
import { searchCustomers } from '../../server/customers/customers.ts';
import { openTestDatabase } from '../../server/testing/db.ts';
import type { BenchResult } from './types.ts';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红华建国志文辉春梅海燕林波宁晓东雪鹏飞斌浩凯丹婷宇龙云峰成亮新利清飞俊帅鑫楠琳欣悦瑞晨阳佳怡子涵雨泽梓轩博文思远嘉豪一诺心怡安然';
const SAMPLES = Number(process.env.BENCH_SEARCH_SAMPLES ?? 300);

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function run(): Promise<BenchResult[]> {
  const engine = process.env.DATABASE_URL ? 'postgresql' : 'pglite';
  process.env.FUELCARD_TEST_DB = engine;
  const count = Number(process.env.BENCH_CUSTOMERS ?? (engine === 'postgresql' ? 1_000_000 : 100_000));
  const db = await openTestDatabase();
  try {
    const unit = await db.query<{ id: bigint }>(
      "INSERT INTO org_unit (kind, code, name_zh, name_en) VALUES ('province', 'BENCH', '基准省', 'Bench') RETURNING id",
    );
    const unitId = unit.rows[0]!.id;
    // Names drawn (by hash) from common surnames and given-name characters; ID numbers, phones and
    // every fifth customer's card number from the customer's index, so the bench can ask for any.
    const batch = 100_000;
    for (let from = 1; from <= count; from += batch) {
      const to = Math.min(count, from + batch - 1);
      await db.query(
        `INSERT INTO customer (kind, name, id_doc_type, id_doc_no, phone, org_unit_id)
         SELECT 'personal',
                substr($1::text, 1 + abs(hashint8(i) % char_length($1::text))::int, 1)
                  || substr($2::text, 1 + abs(hashint8(i + 7919) % char_length($2::text))::int, 1)
                  || CASE WHEN i % 3 = 0 THEN '' ELSE substr($2::text, 1 + abs(hashint8(i + 104729) % char_length($2::text))::int, 1) END,
                'resident_id', '3201' || lpad(i::text, 14, '0'), '139' || lpad(i::text, 8, '0'), $3
           FROM generate_series($4::bigint, $5::bigint) AS i`,
        [SURNAMES, GIVEN, unitId, from, to],
      );
    }
    await db.query(
      `INSERT INTO card (card_no, customer_id, card_type, role, named, state, key_version)
       SELECT '1000' || lpad(c.id::text, 16, '0'), c.id, 'user', 'single', true, 'active', 1
         FROM customer c WHERE c.id % 5 = 0`,
    );
    await db.query('ANALYZE customer');
    await db.query('ANALYZE card');
    const ids = (await db.query<{ lo: bigint; hi: bigint }>('SELECT min(id) AS lo, max(id) AS hi FROM customer')).rows[0]!;
    const lo = Number(ids.lo);
    const span = Number(ids.hi) - lo + 1;
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    // Names the data holds: a customer's whole name, or its given name (many hits, a page).
    const names = (await db.query<{ name: string }>('SELECT name FROM customer WHERE id % 997 = 0')).rows.map((r) => r.name);
    const nameParts = (): string => {
      const name = names[random(names.length)]!;
      return random(2) === 0 ? name : name.slice(1);
    };
    const search = (q: string) => searchCustomers(db, { q });
    const samples = { name: [] as number[], id: [] as number[], card: [] as number[], byId: [] as number[] };
    for (let warm = 0; warm < 20; warm++) await search(nameParts());
    for (let s = 0; s < SAMPLES; s++) {
      const i = random(count) + 1;
      samples.name.push(await timed(() => search(nameParts())));
      samples.id.push(await timed(() => search(`3201${String(i).padStart(14, '0')}`)));
      const withCard = lo + 5 * Math.floor(random(span) / 5) + ((5 - (lo % 5)) % 5);
      samples.card.push(await timed(() => search(`1000${String(withCard).padStart(16, '0')}`)));
      samples.byId.push(await timed(() => db.query('SELECT * FROM customer WHERE id = $1', [lo + random(span)])));
    }
    const all = [...samples.name, ...samples.id, ...samples.card];
    const baseline = p95(samples.byId);
    const result = (name: string, values: number[]): BenchResult => {
      const value = p95(values);
      return { name, value, unit: 'ms', baseline, ratio: value / baseline };
    };
    return [
      result(`staff.customer_search_ms`, all),
      result(`staff.customer_search_ms.name.${engine}`, samples.name),
      result(`staff.customer_search_ms.id_number.${engine}`, samples.id),
      result(`staff.customer_search_ms.card_number.${engine}`, samples.card),
      { name: `staff.customer_search_customers.${engine}`, value: count, unit: 'customers' },
    ];
  } finally {
    await db.close();
  }
}
