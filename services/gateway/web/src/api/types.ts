// Shapes of the API's responses used by the pages. The OpenAPI document declares
// most bodies as free-form objects today; these name the fields the pages read
// (dlhub_common.records.summary_from_pb, dlhub_gateway.http.convert).

export interface Summary {
  owner: string;
  name: string;
  version: number;
  title: string;
  description: string;
  authors: string[];
  domains: string[];
  servable_type: string;
  identifier: string;
  digest: string;
  publication_date: string;
  visible_to: string[];
  latest: string | boolean;
  state: string;
  state_reason: string;
  doi: string;
}

export interface SearchPage {
  total: number;
  offset: number;
  hits: Summary[];
  facets: Record<string, Record<string, number>>;
}

export interface TensorJson {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

export interface Task {
  task_id: string;
  state: string;
  error?: string;
  error_code?: string;
  outputs?: TensorJson[];
  output?: unknown;
  labelled?: Record<string, number>[];
  [key: string]: unknown;
}

/** One typed input or output of the servable's signature (docs/markup.md). */
export interface IoSpec {
  type?: string;
  description?: string;
  shape?: (number | string | null)[];
  item_type?: { type?: string } | string;
  name?: string;
  element_types?: IoSpec[];
  properties?: Record<string, IoSpec>;
  [key: string]: unknown;
}

export interface Metadata {
  datacite?: {
    titles?: { title: string }[];
    creators?: { creatorName?: string; name?: string }[];
    descriptions?: { description: string }[];
    [key: string]: unknown;
  };
  dlhub?: {
    files?: Record<string, unknown> | string[];
    [key: string]: unknown;
  };
  servable?: {
    type?: string;
    classes?: string[];
    methods?: { run?: { input?: IoSpec; output?: IoSpec; parameters?: Record<string, unknown> } };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface Described {
  summary: Summary;
  metadata: Metadata;
  versions?: number[];
}
