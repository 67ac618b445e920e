import { describe, it } from 'vitest';
import type { ProductCommand } from '../../src/domain/product/commands.ts';
import { productDecider } from '../../src/domain/product/decider.ts';
import { productEvents, type ProductEvent } from '../../src/domain/product/events.ts';
import { BANK, OTHER_BANK, product } from './fixtures.ts';
import { commands, DeciderSpecification, NOW } from './specification.ts';

const spec = DeciderSpecification.for(productDecider, productEvents);
const c = commands<ProductCommand>();
const { bank: _bank, productId: _id, ...terms } = product;
const published: ProductEvent = { type: 'ProductPublished', data: { ...product, publishedAt: NOW } };

describe('product decider', () => {
  it('a bank publishes a product under its own name', () => {
    spec([])
      .when(c('PublishProduct', { productId: 'p-credit', ...terms }, ['bank', BANK]))
      .then([published]);
    spec([])
      .when(c('PublishProduct', { productId: 'p-credit', ...terms }, ['guarantor', 'g']))
      .thenThrows('product.publish.not_a_bank');
    spec([published])
      .when(c('PublishProduct', { productId: 'p-credit', ...terms }, ['bank', BANK]))
      .thenThrows('product.publish.already_published');
  });

  it('refuses inverted ranges and a pledge product without its pledge type', () => {
    spec([])
      .when(c('PublishProduct', { productId: 'p', ...terms, rateMinBps: 700 }, ['bank', BANK]))
      .thenThrows('product.terms.invalid_range');
    spec([])
      .when(c('PublishProduct', { productId: 'p', ...terms, kind: 'pledge' }, ['bank', BANK]))
      .thenThrows('product.terms.pledge_type_mismatch');
  });

  it('only the owner amends or withdraws, and nothing after withdrawal', () => {
    spec([published])
      .when(c('AmendProduct', { ...terms, rateMaxBps: 550 }, ['bank', BANK]))
      .then([
        {
          type: 'ProductAmended',
          data: { productId: 'p-credit', ...terms, rateMaxBps: 550, amendedAt: NOW },
        },
      ]);
    spec([published])
      .when(c('AmendProduct', terms, ['bank', OTHER_BANK]))
      .thenThrows('product.not_the_owner');
    const withdrawn: ProductEvent = {
      type: 'ProductWithdrawn',
      data: { productId: 'p-credit', reason: 'quota used', withdrawnAt: NOW },
    };
    spec([published])
      .when(c('WithdrawProduct', { reason: 'quota used' }, ['bank', BANK]))
      .then([withdrawn]);
    spec([published, withdrawn])
      .when(c('AmendProduct', terms, ['bank', BANK]))
      .thenThrows('product.withdrawn');
    spec([])
      .when(c('WithdrawProduct', { reason: 'x' }, ['bank', BANK]))
      .thenThrows('product.not_published');
  });
});
