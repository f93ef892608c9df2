package dev.ovs.ovsdb.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** DeltaSet against a plain set model: random toggles on small and large sets, old versions unchanged. */
class DeltaSetTest {
    @Test
    void matchesAPlainSetAndNeverChangesOldVersions() {
        Random rnd = new Random(42);
        for (int size : new int[] {0, 5, 40, 1000}) {
            Set<Integer> model = new LinkedHashSet<>();
            for (int i = 0; i < size; i++) {
                model.add(i);
            }
            Set<Integer> cur = Collections.unmodifiableSet(new LinkedHashSet<>(model));
            List<Set<Integer>> versions = new ArrayList<>();
            List<Set<Integer>> models = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                Set<Integer> toggle = new HashSet<>();
                for (int k = rnd.nextInt(3) + 1; k > 0; k--) {
                    toggle.add(rnd.nextInt(size + 50));
                }
                for (Integer t : toggle) {
                    if (!model.remove(t)) {
                        model.add(t);
                    }
                }
                cur = DeltaSet.toggle(cur, toggle);
                assertThat(cur).isEqualTo(model);
                assertThat(new HashSet<>(model)).isEqualTo(cur);
                assertThat(cur.hashCode()).isEqualTo(model.hashCode());
                assertThat(cur).hasSize(model.size());
                List<Integer> iterated = new ArrayList<>(cur);
                assertThat(iterated).doesNotHaveDuplicates().hasSize(model.size());
                for (int probe = 0; probe < 10; probe++) {
                    int x = rnd.nextInt(size + 50);
                    assertThat(cur.contains(x)).isEqualTo(model.contains(x));
                }
                versions.add(cur);
                models.add(new HashSet<>(model));
            }
            for (int i = 0; i < versions.size(); i++) {
                assertThat(versions.get(i)).as("version %d of size %d", i, size).isEqualTo(models.get(i));
            }
            Set<Integer> last = cur;
            assertThatThrownBy(() -> last.add(-1)).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
