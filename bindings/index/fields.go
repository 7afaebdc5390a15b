package index

// RecordsWithField returns the structs and unions that have a field of that
// name (its Rust name, or its C name when it has none), so a hover on
// `x.f_op` finds the record when only one has such a field. Call it only
// after Items is complete.
func (ix *Index) RecordsWithField(name string) []*Item {
	if ix == nil {
		return nil
	}
	ix.fieldsOnce.Do(ix.buildFields)
	return ix.byField[name]
}

func (ix *Index) buildFields() {
	ix.byField = map[string][]*Item{}
	for _, it := range ix.Items {
		if it.Kind != Struct && it.Kind != Union {
			continue
		}
		for _, f := range it.Fields {
			name := f.RustName
			if name == "" {
				name = f.Name
			}
			if name != "" {
				ix.byField[name] = append(ix.byField[name], it)
			}
		}
	}
}
