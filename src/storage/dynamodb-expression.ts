import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The names and values of one DynamoDB expression. Every attribute name goes through a `#n`
 * placeholder, so none can collide with DynamoDB's reserved words (`size`, `name` and hundreds
 * more), and every value through a `:v` placeholder.
 */
export class Expression {
  readonly #names = new Map<string, string>();
  readonly #values: Record<string, AttributeValue> = {};
  #count = 0;

  /** The placeholder for an attribute name. */
  name(attribute: string): string {
    let placeholder = this.#names.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#n${this.#names.size}`;
      this.#names.set(attribute, placeholder);
    }
    return placeholder;
  }

  /** The placeholder for a value. */
  value(value: AttributeValue): string {
    const placeholder = `:v${this.#count}`;
    this.#count += 1;
    this.#values[placeholder] = value;

    return placeholder;
  }

  /** `#n = :v`, the commonest condition. */
  equals(attribute: string, value: AttributeValue): string {
    return `${this.name(attribute)} = ${this.value(value)}`;
  }

  /** `begins_with(#n, :v)`. */
  beginsWith(attribute: string, prefix: string): string {
    return `begins_with(${this.name(attribute)}, ${this.value({ S: prefix })})`;
  }

  /** `attribute_not_exists(#n)`. */
  absent(attribute: string): string {
    return `attribute_not_exists(${this.name(attribute)})`;
  }

  /** A projection of the given attributes. */
  projection(attributes: readonly string[]): string {
    return attributes.map((attribute) => this.name(attribute)).join(', ');
  }

  /** `SET` for every attribute with a value, `REMOVE` for every one set to undefined. */
  update(attributes: Readonly<Record<string, AttributeValue | undefined>>): string {
    const set: string[] = [];
    const remove: string[] = [];
    for (const [attribute, value] of Object.entries(attributes)) {
      if (value === undefined) {
        remove.push(this.name(attribute));
      } else {
        set.push(`${this.name(attribute)} = ${this.value(value)}`);
      }
    }

    const parts = [];
    if (set.length > 0) {
      parts.push(`SET ${set.join(', ')}`);
    }
    if (remove.length > 0) {
      parts.push(`REMOVE ${remove.join(', ')}`);
    }
    return parts.join(' ');
  }

  /** The request parameters; DynamoDB refuses an empty map, so an empty one is left out. */
  params(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    const names = Object.fromEntries([...this.#names].map(([attribute, key]) => [key, attribute]));

    return {
      ...(this.#names.size > 0 ? { ExpressionAttributeNames: names } : {}),
      ...(this.#count > 0 ? { ExpressionAttributeValues: { ...this.#values } } : {}),
    };
  }
}
