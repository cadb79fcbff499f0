package dev.mmict.coordinator.sweep;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The searched configuration keys of a sweep, in declaration order (which fixes the grid order
 * and the column order of tables). Each key appears once.
 *
 * @param parameters the parameters, in declaration order
 */
public record SearchSpace(List<Parameter> parameters) {

  /** Rejects duplicate keys. */
  public SearchSpace {
    parameters = List.copyOf(parameters);
    Set<String> seen = new HashSet<>();
    for (Parameter p : parameters) {
      if (!seen.add(p.key())) {
        throw new SearchSpaceException(p.key(), "the key is searched twice; give it one parameter");
      }
    }
  }

  /** The grid parameters, in declaration order. */
  public List<Parameter.Grid> grid() {
    return parameters.stream().filter(Parameter::isGrid).map(p -> (Parameter.Grid) p).toList();
  }

  /** The number of grid points: the product of the grid parameters' sizes (1 with no grid). */
  public int gridSize() {
    long size = 1;
    for (Parameter.Grid g : grid()) {
      size = Math.multiplyExact(size, g.values().size());
    }
    if (size > Integer.MAX_VALUE) {
      throw new SearchSpaceException(grid().get(0).key(), "the grid has " + size + " points, too many");
    }
    return (int) size;
  }

  /** The searched keys, in declaration order. */
  public List<String> keys() {
    return parameters.stream().map(Parameter::key).toList();
  }
}
