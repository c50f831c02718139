// Glue between the data importers and the native replay: the exact check `data import-lobster` runs.
import type { LobsterVerifier } from "../data/lobster.js";
import { LobsterReplayData } from "../native/index.js";

/** The import check of `data import-lobster`: the native replay of the whole day against every orderbook row. */
export const verifyLobster: LobsterVerifier = (messages, book) => {
  const v = new LobsterReplayData(messages.columns, book.columns).verify();
  const ok = v.visibleMismatches === 0;
  const adoptions = `adoptions bid ${v.adoptionsBid} (${v.adoptedLotsBid} lots), ask ${v.adoptionsAsk} (${v.adoptedLotsAsk} lots) ` +
    `where ${v.intoViewBid + v.intoViewAsk} rows bring prices into view`;
  return {
    ok,
    rowsChecked: v.rowsChecked,
    mismatches: v.visibleMismatches,
    firstMismatchRow: v.firstMismatchRow >= 0 ? v.firstMismatchRow : undefined,
    summary: ok
      ? `replay exact at every row; ${adoptions}; ${v.unknownIdMessages} removals of orders placed before the file or beyond view`
      : `replay differs from the file at ${v.visibleMismatches} rows; ${adoptions}; first mismatch at ${v.report}`,
  };
};

