import type { Statement } from '../statement';
import type { Catalogue, SchemaSnapshot } from './catalogue';
import { continuedReplay, type ReplayDetail, type SchemaReplay } from './replay';

/** The replays an analysis made (or took over unused), for the analysis of the next version of the file to continue. */
export interface KeptReplays {
  readonly everything: SchemaReplay | undefined;
  readonly relations: SchemaReplay | undefined;
}

/**
 * The schema catalogues of one analysis, each replayed on its first question only, and continuing
 * the replay of the version before the edit where there is one (only the statements from the first
 * changed one down are replayed again).
 */
export class FileSchemas {
  private everythingReplay: SchemaReplay | undefined;
  private relationsReplay: SchemaReplay | undefined;

  constructor(
    private readonly statements: readonly Statement[],
    private readonly prior: SchemaSnapshot | undefined,
    private readonly previous: KeptReplays | undefined,
  ) {}

  /** Everything the statements declare. */
  get everything(): Catalogue {
    return (this.everythingReplay ??= this.replay('everything')).catalogue;
  }

  /** Which relations exist where, and which are new: cheap enough for every keystroke. */
  get relations(): Catalogue {
    return (this.relationsReplay ??= this.replay('relations')).catalogue;
  }

  /** What the next analysis can continue: this one's replays, or the previous ones where this one made none. */
  get kept(): KeptReplays {
    return { everything: this.everythingReplay ?? this.previous?.everything, relations: this.relationsReplay ?? this.previous?.relations };
  }

  private replay(detail: ReplayDetail): SchemaReplay {
    return continuedReplay(this.statements, this.prior, detail, this.previous?.[detail]);
  }
}
