package bench

import "testing"

func BenchmarkQueue(b *testing.B) {
	for _, impl := range Implementations {
		b.Run("OneContainer/"+impl.Name, func(b *testing.B) { OneContainer(b, impl.New) })
		b.Run("ManyContainers/"+impl.Name, func(b *testing.B) { ManyContainersWorkload(b, impl.New) })
		b.Run("Stalled/"+impl.Name, func(b *testing.B) { Stalled(b, impl.New) })
	}
}
