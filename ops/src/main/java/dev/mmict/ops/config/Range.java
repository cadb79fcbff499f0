package dev.mmict.ops.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds for a numeric record component of a configuration record; {@link ConfigLoader} rejects
 * a value outside them with the key path and its place in the YAML file. Bounds are inclusive
 * unless {@link #exclusiveMin()} says otherwise (e.g. a learning rate must be strictly positive).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Range {

    /** Smallest allowed value. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Largest allowed value (inclusive). */
    double max() default Double.POSITIVE_INFINITY;

    /** When true, {@link #min()} itself is not allowed. */
    boolean exclusiveMin() default false;
}
