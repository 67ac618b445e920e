import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import type { ProductCommand } from './commands.ts';
import type { ProductEvent } from './events.ts';
import type { ProductTerms, ProductTermsInput } from './terms.ts';

export interface ProductState {
  status: 'none' | 'published' | 'withdrawn';
  terms: ProductTerms | null;
}

const checkTerms = (t: ProductTermsInput): void => {
  ensure(
    t.amountMinFen <= t.amountMaxFen &&
      t.amountMaxFen > 0 &&
      t.termMinMonths <= t.termMaxMonths &&
      t.rateMinBps <= t.rateMaxBps,
    'product.terms.invalid_range',
    'each range must have min ≤ max (and a positive maximum amount)',
  );
  ensure(
    (t.kind === 'pledge') === (t.pledgeType !== null),
    'product.terms.pledge_type_mismatch',
    'a pledge product names its pledge type; other kinds must not',
  );
};

export const productDecider: Decider<ProductCommand, ProductEvent, ProductState> = {
  initialState: () => ({ status: 'none', terms: null }),

  decide: (command, state) => {
    const { metadata } = command;
    switch (command.type) {
      case 'PublishProduct': {
        ensure(state.status === 'none', 'product.publish.already_published', 'product id already used');
        requireActor(metadata, 'product.publish.not_a_bank', ['bank']);
        checkTerms(command.data);
        return [
          {
            type: 'ProductPublished',
            data: { ...command.data, bank: metadata.actor.org, publishedAt: metadata.now },
          },
        ];
      }
      case 'AmendProduct':
      case 'WithdrawProduct': {
        ensure(state.status !== 'none', 'product.not_published', 'no such product');
        const terms = state.terms as ProductTerms;
        requireActor(metadata, 'product.not_the_owner', [{ role: 'bank', org: terms.bank }]);
        ensure(state.status !== 'withdrawn', 'product.withdrawn', 'the product was withdrawn');
        if (command.type === 'AmendProduct') {
          checkTerms(command.data);
          return [
            {
              type: 'ProductAmended',
              data: { productId: terms.productId, ...command.data, amendedAt: metadata.now },
            },
          ];
        }
        return [
          {
            type: 'ProductWithdrawn',
            data: { productId: terms.productId, reason: command.data.reason, withdrawnAt: metadata.now },
          },
        ];
      }
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'ProductPublished': {
        const { publishedAt: _p, ...terms } = event.data;
        return { status: 'published', terms };
      }
      case 'ProductAmended': {
        const { amendedAt: _a, ...terms } = event.data;
        return { ...state, terms: { ...terms, bank: state.terms?.bank ?? '' } };
      }
      case 'ProductWithdrawn':
        return { ...state, status: 'withdrawn' };
    }
  },
};
