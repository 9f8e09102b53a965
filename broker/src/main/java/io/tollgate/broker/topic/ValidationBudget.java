package io.tollgate.broker.topic;

import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.ExecutionContext;

/**
 * One validation's execution context, which counts the validator's steps and ends the validation
 * once it has taken {@code maxSteps}. The validator enters the evaluation path once for every
 * keyword it applies to a value ({@code $ref}, each {@code allOf} branch, each property), so the
 * count is the work done, whatever the schema and the data look like.
 */
final class ValidationBudget extends ExecutionContext {
  private final int maxSteps;
  private int steps;

  ValidationBudget(ExecutionConfig config, int maxSteps) {
    super(config);
    this.maxSteps = maxSteps;
  }

  @Override
  public void evaluationPathAddLast(String keyword) {
    if (++steps > maxSteps) {
      throw new Exhausted();
    }
    super.evaluationPathAddLast(keyword);
  }

  /** Thrown through the validator, which holds no locks, to end a validation that took too long. */
  static final class Exhausted extends RuntimeException {
    Exhausted() {
      super("validation budget exhausted", null, false, false);
    }
  }
}
