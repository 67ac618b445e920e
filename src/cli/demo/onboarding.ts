import type { ProductTerms } from '../../domain/product/terms.ts';
import { ApiProblem } from '../httpClient.ts';
import { StepFailed, type DemoContext } from './context.ts';
import { ENTERPRISES, ORG } from './parties.ts';
import type { DemoState } from './state.ts';
import { z } from 'zod';

const ANY = z.unknown();

/** An enterprise registers once per ledger; a second demo run finds it and moves on. */
async function registered(ctx: DemoContext, uscc: string): Promise<boolean> {
  try {
    await ctx.as(uscc).get(`/v1/enterprises/${uscc}`, ANY);
    return true;
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404) return false;
    throw new StepFailed(`look up enterprise ${uscc}`, e);
  }
}

/** 实名注册 and 经企业授权: each enterprise registers and authorizes the bank to read its credit data. */
export async function registerEnterprises(ctx: DemoContext): Promise<void> {
  for (const [i, e] of ENTERPRISES.entries()) {
    if (await registered(ctx, e.uscc)) {
      ctx.log(`  · ${e.name} (${e.uscc}) is already registered`);
    } else {
      await ctx.command(`register ${e.name}`, e.uscc, 'POST /v1/enterprises', '/v1/enterprises', {
        uscc: e.uscc,
        name: e.name,
        regionCode: e.regionCode,
        industry: e.industry,
        sizeClass: e.sizeClass,
        legalRepresentative: e.legalRepresentative,
      });
    }
    await ctx.command(
      `${e.name} authorizes ${ORG.bank}`,
      e.uscc,
      'POST /v1/enterprises/{uscc}/authorizations',
      `/v1/enterprises/${e.uscc}/authorizations`,
      {
        grantId: ctx.id(`grant-${i + 1}`),
        grantee: ORG.bank,
        categories: ['tax', 'environment_rating'],
        purpose: 'financing_support',
        expiresAt: '2027-12-31T00:00:00.000Z',
      },
    );
  }
}

/** 贷款产品清单: the bank publishes one pure credit and one guaranteed product for Hunan. */
export async function publishProducts(ctx: DemoContext, state: DemoState): Promise<void> {
  const eligibility = { whiteListOnly: false, minGrade: null };
  const credit: ProductTerms = {
    productId: ctx.id('product-credit'),
    bank: ORG.bank,
    name: '湘江科创信用贷',
    kind: 'pure_credit',
    pledgeType: null,
    amountMinFen: 10_000_000,
    amountMaxFen: 300_000_000,
    termMinMonths: 3,
    termMaxMonths: 36,
    rateMinBps: 350,
    rateMaxBps: 600,
    targetIndustries: [],
    targetRegions: ['43'],
    eligibility,
  };
  const guaranteed: ProductTerms = {
    ...credit,
    productId: ctx.id('product-guaranteed'),
    name: '潇湘财银保·担保贷',
    kind: 'guaranteed',
    amountMinFen: 50_000_000,
    amountMaxFen: 1_000_000_000,
    termMinMonths: 6,
    termMaxMonths: 36,
    rateMinBps: 380,
    rateMaxBps: 500,
  };
  for (const p of [credit, guaranteed]) {
    const { bank: _bank, ...body } = p;
    await ctx.command(`publish product ${p.name}`, ORG.bank, 'POST /v1/products', '/v1/products', body);
  }
  state.creditProduct = credit;
  state.guaranteedProduct = guaranteed;
}
