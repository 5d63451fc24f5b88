package container

func (c *container) SelinuxLabel(sboxLabel string) ([]string, error) {
	return []string{}, nil
}
